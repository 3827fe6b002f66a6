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
	"iio: light: vcnl4000:"*|"iio: light: vcnl4035:"*) echo vcnl4000 ;;
	virtio*|"gpio: virtio:"*|"hwrng: virtio:"*) echo virtio ;;
	"net: wwan: iosm:"*|"MAINTAINERS:"*[Ii][Oo][Ss][Mm]*) echo iosm ;;
	"PM:"*|"coccinelle:"*) echo pm ;;
	*) return 1 ;;
	esac
}

# Whom the workspace's get_maintainer.pl (the tree after the whole series, so
# its MAINTAINERS changes count) names for a patch file: "To: <who>" for
# maintainers, reviewers, supporters and odd fixers, "Cc: <list>" for lists.
# Not from git (its fallback would name the workspace's own committers), no
# Fixes: authors (no upstream history to find them in); the patch's own
# To:/Cc: headers are not read, and its author is left out.
recipients() {
	author=$(sed -n 's/^From: .*<\(.*\)>.*/\1/p' "$1" | head -n 1)
	patch=$(awk '/^$/ { body = 1 } !body && /^[^ \t]/ { skip = /^(To|Cc):/ } body || !skip' "$1")
	gm() { printf '%s\n' "$patch" | (cd "$WS" && perl scripts/get_maintainer.pl \
		--no-git --no-git-fallback --no-fixes --no-rolestats "$@"); }
	{ gm --no-l | sed 's/^/To: /'; gm --no-m --no-r | sed 's/^/Cc: /'; } | grep -viF "<$author>" || true
}

# The To:/Cc: headers of a patch file, one "To: <who>" or "Cc: <who>" line
# per header line (the layout to_cc_headers writes).
to_cc() {
	awk '/^$/ { exit } /^[^ \t]/ { k = /^(To|Cc):/ ? substr($0, 1, 3) : "" }
		k { sub(/^(To|Cc):/, ""); sub(/^[ \t]+/, ""); sub(/,[ \t]*$/, ""); print k, $0 }' "$1"
}

# Lines "To: <who>" / "Cc: <who>" as mail headers, deduplicated, To: first,
# one address a line as git format-patch --to/--cc writes them.
to_cc_headers() {
	awk '!seen[tolower($0)]++ { a[$1] = a[$1] (a[$1] == "" ? $1 " " : ",\n    ") substr($0, 5) }
		END { if (a["To:"] != "") print a["To:"]; if (a["Cc:"] != "") print a["Cc:"] }'
}

# add_to_cc <patch file> <headers>: put the headers right after Subject:.
add_to_cc() {
	H=$2 awk '!done && subj && !/^[ \t]/ { if (ENVIRON["H"] != "") print ENVIRON["H"]; done = 1 }
		/^Subject: / { subj = 1 } 1' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
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
