/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel feature choices reapertrace names with -v
 * ("reapertrace: features: key=value ..."), and what the running kernel
 * says about the same features, found another way.
 */
#ifndef RT_TESTS_KFEATURES_H
#define RT_TESTS_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>

/* The features line in @err_text (a tracer's stderr), or NULL. */
const char *features_line(const char *err_text, char *buf, size_t size);

/* The value of @key in a features line, into @buf; false if absent. */
bool feature_value(const char *line, const char *key, char *buf, size_t size);

/* The number value of @key, or -1. */
long feature_number(const char *line, const char *key);

/* Whether the kernel's BTF (/sys/kernel/btf/vmlinux) holds the name @name. */
bool kernel_btf_has_name(const char *name);

/* The running kernel's version as major * 1000 + minor (6.1 -> 6001), or -1. */
int kernel_version(void);

#endif /* RT_TESTS_KFEATURES_H */
