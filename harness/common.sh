# Shared by the harness scripts: paths, the workspace and its stamp, errors.
# shellcheck shell=sh
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
PATCHES=$TOP/patches
: "${BUILD:=$TOP/build}" "${CACHE:=$HOME/.cache/pm-series}" "${KERNEL_SRC:=}"
: "${BASE_PKG:=linux-source-6.12}" "${BASE_VERSION:=6.12.117-1~deb12u1}" "${JOBS:=2}"
BASE_TAG=pm-series-base

if [ -n "$KERNEL_SRC" ]; then
	WS=$(cd "$KERNEL_SRC" 2>/dev/null && pwd) || { echo "error: KERNEL_SRC=$KERNEL_SRC: no such directory" >&2; exit 1; }
	# One stamp per user tree, so switching trees never confuses them.
	STAMP=$BUILD/applied-$(printf %s "$WS" | cksum | cut -d' ' -f1)
else
	WS=$BUILD/linux
	STAMP=$BUILD/applied
fi
KUNIT_DIR=$BUILD/kunit
RESULTS=$BUILD/results

die() { echo "error: $*" >&2; exit 1; }
wsgit() { git -C "$WS" "$@"; }

# The patch files in application order, as paths under patches/.
series() {
	[ -f "$PATCHES/series" ] || die "patches/series is missing"
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series"
}

# One line that changes whenever any patch, or the series order, changes.
patches_hash() {
	(cat "$PATCHES/series"; series | while read -r p; do cat "$PATCHES/$p"; done) | sha256sum | cut -c1-16
}

# Topics whose patches add a .kunitconfig: each must produce suites named <topic>_*.
test_topics() {
	series | while read -r p; do
		grep -q '^+++ b/.*\.kunitconfig$' "$PATCHES/$p" && dirname "$p"
	done | sort -u
}

# Which topic (patches/<topic>/) a commit belongs to, from its subject prefix.
topic_of() {
	case "$1" in
	"iio: light: vcnl4000:"*) echo vcnl4000 ;;
	virtio*) echo virtio ;;
	"net: wwan: iosm:"*|"MAINTAINERS:"*[Ii][Oo][Ss][Mm]*) echo iosm ;;
	"PM:"*) echo pm ;;
	*) return 1 ;;
	esac
}

is_kernel_tree() {
	[ -f "$1/Makefile" ] && [ -f "$1/Kconfig" ] && [ -f "$1/tools/testing/kunit/kunit.py" ] &&
		[ -f "$1/scripts/checkpatch.pl" ]
}

# Exit status 0 when the workspace holds nothing that patches/ lacks.
# Unexported work is: edits or new files, or a HEAD other than the one the
# last apply/export recorded.
workspace_clean() {
	[ -d "$WS/.git" ] || return 0
	if [ -n "$(wsgit status --porcelain)" ]; then
		echo "uncommitted changes in $WS:"; wsgit status --short | head -n 10
		return 1
	fi
	head=$(wsgit rev-parse HEAD)
	if [ -f "$STAMP" ]; then
		recorded=$(cut -d' ' -f1 "$STAMP")
	else
		recorded=$(wsgit rev-parse -q --verify "refs/tags/$BASE_TAG^{commit}" || echo none)
	fi
	if [ "$head" != "$recorded" ]; then
		echo "commits in $WS not exported to patches/:"
		wsgit log --oneline "$recorded..HEAD" 2>/dev/null | head -n 20 || wsgit log --oneline -5
		return 1
	fi
}

record_stamp() {
	mkdir -p "$BUILD"
	echo "$(wsgit rev-parse HEAD) $(patches_hash)" > "$STAMP"
}
