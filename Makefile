# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# reapertrace: `make` builds, `make test` tests, `make run` traces.

OUTPUT ?= build
CLANG ?= clang
# Debian installs bpftool in /usr/sbin, not on a user's PATH.
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
CC ?= gcc
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
WARNINGS := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= -g -O2
override CFLAGS += $(WARNINGS) -Werror -D_GNU_SOURCE -DREAPERTRACE_VERSION='"$(VERSION)"'
INCLUDES := -I$(OUTPUT) -Iinclude -I.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Wno-unused-function
LIBS := -lbpf -lelf -lz -lmicrohttpd -lpthread
# Each object's header dependencies, as the compiler saw them (build/**/*.d).
DEPFLAGS := -MMD -MP

BPF_SRCS := bpf/reapertrace.bpf.c bpf/snapshot.bpf.c
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS)) $(OUTPUT)/reapertrace_legacy.skel.h
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# tests/lib: the harness and what the tests read the truth with;
# tests/scenarios: the process trees; tests/system: the suite (root);
# tests/unit: the user code alone, no root, no kernel.
TEST_LIB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard tests/lib/*.c))
SCENARIO_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(filter-out tests/scenarios/cli.c,$(wildcard tests/scenarios/*.c)))
SYSTEM_TEST_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard tests/system/*.c))
UNIT_TEST_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard tests/unit/*.c))
# The user objects that need neither libbpf nor the kernel: the pipeline, its sinks, the CLI helpers.
USER_PURE_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard user/lib/*.c user/sinks/*.c) user/top/reapers.c user/top/view.c \
	user/metrics/metrics.c \
	$(filter-out user/trace/trace.c,$(wildcard user/trace/*.c)))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS) $(SKELS) $(OUTPUT)/reapertrace.legacy.bpf.o
.PHONY: all clean install uninstall image test test-fallbacks run deps format check-format kmod kmod-if-headers bench bench-bin

all: $(OUTPUT)/reapertrace $(OUTPUT)/rt-unit $(OUTPUT)/rt-tests $(OUTPUT)/rt-scenario kmod-if-headers

# The Go program of the go_exit_group scenario, where a Go toolchain is
# installed (Debian's golang-go); without one that scenario skips.
GO ?= $(shell command -v go 2>/dev/null)
ifneq ($(GO),)
all: $(OUTPUT)/rt-go-exit
endif

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c vmlinux.h | $(OUTPUT) tools
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -Iinclude -I. -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# The same programs for kernels without bpf_get_current_task_btf() or BPF
# atomics (before 5.12): helper reads and hash maps (bpf/tables.bpf.h). The
# tracer opens it through reapertrace.skel.h, so both must lay out their
# maps, programs and globals alike: the check compares the two skeletons.
$(OUTPUT)/reapertrace.legacy.bpf.o: bpf/reapertrace.bpf.c vmlinux.h | $(OUTPUT) tools
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -DRT_LEGACY -Iinclude -I. -c $< -o $@

$(OUTPUT)/reapertrace_legacy.skel.h: $(OUTPUT)/reapertrace.legacy.bpf.o $(OUTPUT)/reapertrace.skel.h
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name reapertrace_legacy_bpf > $@
	$(Q)scripts/skel-same-layout.sh $(OUTPUT)/reapertrace.skel.h $@

# The skeletons are generated: made before the first compile, then known from the .d files.
$(OUTPUT)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -Iuser -c $< -o $@

$(OUTPUT)/reapertrace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/tests/%.o: tests/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/lib -Itests/scenarios -Iinclude -c $< -o $@

# The unit tests see the user code's headers and link its objects.
$(OUTPUT)/tests/unit/%.o: tests/unit/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/lib -Iinclude -Iuser -I$(OUTPUT) -c $< -o $@

$(OUTPUT)/rt-tests: $(SYSTEM_TEST_OBJS) $(TEST_LIB_OBJS) $(SCENARIO_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -lpthread -lm -o $@

$(OUTPUT)/rt-unit: $(UNIT_TEST_OBJS) $(OUTPUT)/tests/lib/harness.o $(OUTPUT)/tests/lib/proc.o \
		   $(OUTPUT)/tests/lib/jsonl.o $(USER_PURE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -lpthread -o $@

$(OUTPUT)/rt-scenario: $(OUTPUT)/tests/scenarios/cli.o $(SCENARIO_OBJS) $(OUTPUT)/tests/lib/proc.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -lpthread -o $@

$(OUTPUT)/rt-go-exit: tests/scenarios/go/exit_group.go | $(OUTPUT)
	$(call msg,GO,$@)
	$(Q)GOCACHE=$(abspath $(OUTPUT))/go-cache GOPATH=$(abspath $(OUTPUT))/go GO111MODULE=off \
		$(GO) build -o $@ $<

# Benchmarks (bench/README.md): workloads, the consumer alone, an empty program.
BENCH_BINS := $(OUTPUT)/rt-bench-load $(OUTPUT)/rt-bench-format $(OUTPUT)/rt-bench-hold \
	      $(OUTPUT)/bench/empty.bpf.o $(OUTPUT)/bench/parts.bpf.o
BENCH_FORMAT_OBJS := $(USER_PURE_OBJS)

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/%.bpf.o: bench/%.bpf.c bpf/task.bpf.h include/events.h vmlinux.h | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Iinclude -I. -c $< -o $@

$(OUTPUT)/bench/%.o: bench/%.c | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -Iuser -c $< -o $@

$(OUTPUT)/rt-bench-load: $(OUTPUT)/bench/load.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

$(OUTPUT)/rt-bench-format: $(OUTPUT)/bench/format.o $(BENCH_FORMAT_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

$(OUTPUT)/rt-bench-hold: $(OUTPUT)/bench/hold.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

bench-bin: all $(BENCH_BINS)

# Runs every benchmark (root; installs the peers; takes the host lock per step).
bench:
	$(Q)bench/deps.sh
	$(Q)$(MAKE) --no-print-directory bench-bin
	$(Q)bench/run.sh

# The optional kernel module, built by Kbuild against KDIR's headers in
# build/kmod/<kernelrelease>/, where kmod/'s sources are linked so that the
# source tree stays clean. The release is the one `uname -r` shows
# (UTS_RELEASE; Debian's split headers put only the upstream version in
# include/config/kernel.release, which is the fallback).
KDIR ?= /lib/modules/$(shell uname -r)/build
KREL = $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null))
KMOD_DIR = $(abspath $(OUTPUT)/kmod/$(KREL))
# Headers the host cannot build with (Debian's from trixie on: kbuild tools
# linked against glibc 2.38, flags of gcc 14 and newer) build the module in a
# minimal Debian root that has their compiler, made once by mmdebstrap:
# scripts/kmod-root.sh, which reads that need from the headers.
KMOD_ROOT = $(if $(KREL),$(shell scripts/kmod-root.sh need $(KDIR) 2>/dev/null && echo y))
KMOD_MAKE = $(if $(KMOD_ROOT),scripts/kmod-root.sh run $(KDIR) $(abspath .) $(abspath $(OUTPUT)) -- make,$(MAKE))
# The compiler the kernel was built with; if it is not installed and older
# than the host's (Debian's 5.10 used gcc-10), the host's gcc builds the
# module.
KERNEL_CC = $(firstword $(shell sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^" ]*\).*/\1/p' $(KDIR)/include/config/auto.conf 2>/dev/null))
KMOD_CC ?= $(if $(KMOD_ROOT),,$(if $(KERNEL_CC),$(if $(shell command -v $(KERNEL_CC) 2>/dev/null),,$(CC))))

kmod:
	$(Q)test -n "$(KREL)" || { echo "kmod: no kernel headers in $(KDIR) (set KDIR=)" >&2; exit 1; }
	$(Q)mkdir -p $(KMOD_DIR)
	$(Q)ln -sf $(abspath kmod/Kbuild) $(abspath kmod/reapertrace.c) $(KMOD_DIR)/
	$(call msg,KBUILD,$(KMOD_DIR)/reapertrace.ko$(if $(KMOD_CC), (CC=$(KMOD_CC): $(KERNEL_CC) not found))$(if $(KMOD_ROOT), (in scripts/kmod-root.sh's root: $(KERNEL_CC))))
	$(Q)$(KMOD_MAKE) --no-print-directory -C $(KDIR) M=$(KMOD_DIR) $(if $(V),V=$(V)) $(if $(KMOD_CC),CC=$(KMOD_CC)) modules >$(KMOD_DIR)/build.log 2>&1 || { cat $(KMOD_DIR)/build.log >&2; exit 1; }
	$(Q)grep -E 'warning|error' $(KMOD_DIR)/build.log >&2 || true

kmod-if-headers:
	$(Q)if test -n "$(KREL)"; then $(MAKE) --no-print-directory kmod; \
	else echo "  SKIP     kmod: no kernel headers in $(KDIR) (make kmod KDIR=...)"; fi

# Installs what is missing (Debian 12): the README's commands run it
# before make, so that the targets here never call apt.
deps:
	$(Q)scripts/deps.sh

# Without the build tools, one line saying what installs them.
TOOLS_MISSING = $(foreach t,$(CLANG) $(BPFTOOL) $(CC),$(if $(shell command -v $(t) 2>/dev/null),,$(t)))
.PHONY: tools
tools:
	$(Q)test -z "$(strip $(TOOLS_MISSING))" || { echo "reapertrace: $(strip $(TOOLS_MISSING)) not found: run scripts/deps.sh (as root) to install the build tools" >&2; exit 1; }

run:
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/reapertrace
	$(OUTPUT)/reapertrace $(ARGS)

test:
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(OUTPUT)/rt-unit $(TESTS)
	$(Q)RT_BIN=$(OUTPUT)/reapertrace $(OUTPUT)/rt-tests $(TESTS)

# The same suite with every hook on its last path (docs/DESIGN.md: When the kernel
# refuses a program): the restricted programs on a kernel that takes all.
test-fallbacks:
	$(Q)$(MAKE) --no-print-directory all
	$(Q)REAPERTRACE_PATHS=fallback RT_BIN=$(OUTPUT)/reapertrace $(OUTPUT)/rt-tests $(TESTS)

# The whole suite inside virtme-ng on Debian's 5.10, 6.1, 6.12, 6.18, 7.2 and
# 7.3 kernels (fetched into /var/cache/reapertrace/vm; KERNELS=next adds
# experimental's release candidate): scripts/vmtest.sh.
KERNELS ?= 5.10 6.1 6.12 6.18 7.2 7.3
.PHONY: vmtest
vmtest:
	$(Q)scripts/deps.sh --vm
	$(Q)scripts/vmtest.sh $(KERNELS) $(if $(TESTS),-- $(TESTS))

MAN_PAGES := $(wildcard man/*.8)

# The service (deploy/systemd): the unit with this PREFIX's paths, its
# options in /etc/default (kept when already there), the alerting rules.
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DOCDIR := $(PREFIX)/share/doc/reapertrace

# The container image from Debian packages, imported into the docker that
# DOCKER_HOST names (deploy/image/build.sh; root, mmdebstrap).
image: $(OUTPUT)/reapertrace
	$(Q)deploy/image/build.sh $(OUTPUT)/reapertrace

install: $(OUTPUT)/reapertrace
	install -D -m 0755 $(OUTPUT)/reapertrace $(DESTDIR)$(PREFIX)/sbin/reapertrace
	install -d $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 docs/FORMAT.md deploy/prometheus/reapertrace.rules.yml $(DESTDIR)$(DOCDIR)/
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@UNITDIR@|$(UNITDIR)|g' \
		deploy/systemd/reapertrace.service.in > $(DESTDIR)$(UNITDIR)/reapertrace.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/reapertrace.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/reapertrace ] || \
		install -D -m 0644 deploy/systemd/reapertrace.default $(DESTDIR)$(SYSCONFDIR)/default/reapertrace

# /etc/default/reapertrace is configuration: left in place.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/reapertrace $(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(notdir $(MAN_PAGES)))
	rm -f $(DESTDIR)$(UNITDIR)/reapertrace.service
	rm -rf $(DESTDIR)$(DOCDIR)

FORMAT_SRCS = $(wildcard bpf/*.c bpf/*.h include/*.h user/*.[ch] user/*/*.[ch] tests/*/*.[ch] \
	      kmod/*.c bench/*.c)

format:
	clang-format -i $(FORMAT_SRCS)

check-format:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*.d $(OUTPUT)/user/*/*.d $(OUTPUT)/tests/*/*.d $(OUTPUT)/bench/*.d)
