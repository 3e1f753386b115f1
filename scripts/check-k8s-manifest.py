#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Validate Kubernetes manifests offline, field by field, against the API
models of Debian's python3-kubernetes (generated from Kubernetes' OpenAPI
schema; 22.6.0 is Kubernetes 1.22): every key must be a field of its
object, every value of the field's type, every required field present
(the models' own checks). kubectl --dry-run=client needs an API server for
discovery; none is at hand here.

    scripts/check-k8s-manifest.py FILE.yaml...   exit 0 when all are valid
"""
import re
import sys

import yaml
from kubernetes import client


def model_for(doc):
    group_version = doc.get("apiVersion", "")
    version = group_version.split("/")[-1]
    name = version.capitalize() + doc.get("kind", "")
    cls = getattr(client, name, None)
    if cls is None:
        raise ValueError(f"no model {name} for apiVersion {group_version!r}, kind {doc.get('kind')!r}")
    return name


def build(type_name, value, path):
    """Checks @value against @type_name (as the models spell types); returns what the model takes."""
    m = re.fullmatch(r"list\[(.+)\]", type_name)
    if m:
        if not isinstance(value, list):
            raise ValueError(f"{path}: a list expected, got {value!r}")
        return [build(m.group(1), v, f"{path}[{i}]") for i, v in enumerate(value)]
    m = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if m:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ValueError(f"{path}: a map of strings expected, got {value!r}")
        return {k: build(m.group(1), v, f"{path}.{k}") for k, v in value.items()}
    if type_name == "str":
        if not isinstance(value, str):
            raise ValueError(f"{path}: a string expected, got {value!r}")
        return value
    if type_name == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{path}: an integer expected, got {value!r}")
        return value
    if type_name == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{path}: true or false expected, got {value!r}")
        return value
    if type_name == "object":  # IntOrString, quantities, raw objects
        return value
    cls = getattr(client, type_name, None)
    if cls is None:
        raise ValueError(f"{path}: unknown type {type_name}")
    if not isinstance(value, dict):
        raise ValueError(f"{path}: an object ({type_name}) expected, got {value!r}")
    by_json = {j: a for a, j in cls.attribute_map.items()}
    kwargs = {}
    for key, v in value.items():
        if key not in by_json:
            raise ValueError(f"{path}: {key!r} is not a field of {type_name}")
        attr = by_json[key]
        kwargs[attr] = build(cls.openapi_types[attr], v, f"{path}.{key}")
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{path} ({type_name}): {e}") from None


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    bad = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        for i, doc in enumerate(docs):
            try:
                name = model_for(doc)
                build(name, doc, f"{path}#{i}:{doc.get('kind')}")
                print(f"{path}#{i}: {doc['kind']} {doc.get('metadata', {}).get('name')}: valid ({name})")
            except ValueError as e:
                print(f"check-k8s-manifest: {e}", file=sys.stderr)
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
