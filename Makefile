# Harness for the PM transitions patch series. See README.md.
#
#   make          fetch the base, apply patches/series in a git workspace, build the UML KUnit kernel
#   make test     the above, then run the series' KUnit suites; last line "N passed, N failed"
#   make e2e      base and series in an x86_64 guest under QEMU through s2idle, S3, hibernation
#   make export   write the workspace commits back into patches/
#   make status   fail if the workspace holds work that is not in patches/ yet
#   make check    the review gate (checkpatch, patch form, ...)
#   make quilt    the series as Debian debian/patches with DEP-3 headers
#
# KERNEL_SRC=/path/to/linux applies the series to your own git kernel tree instead.

# Debian's linux-source-6.12 the series was last tested on.
BASE_PKG     ?= linux-source-6.12
BASE_VERSION ?= 6.12.117-1~deb12u1
BUILD        ?= $(CURDIR)/build
CACHE        ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/pm-series
KERNEL_SRC   ?=
JOBS         ?= $(shell nproc)

export BASE_PKG BASE_VERSION BUILD CACHE KERNEL_SRC JOBS
H := $(CURDIR)/harness

.PHONY: all build apply test e2e export status check quilt clean
all: build

apply:
	@$(H)/apply.sh

build: apply
	@$(H)/build.sh

test: apply
	@$(H)/build.sh --run

e2e: apply
	@$(H)/e2e.sh

export:
	@$(H)/export.sh

status:
	@$(H)/status.sh

check: apply
	@$(H)/check.sh

quilt: apply
	@$(H)/quilt.sh

clean:
	@$(H)/status.sh >/dev/null || { echo "refusing: the workspace holds unexported work (make export)"; exit 1; }
	rm -rf $(BUILD)
