#!/bin/sh
# Build checks of make check, in a git worktree of the workspace:
#  - every patch builds the touched directories (UML, W=1, tests on);
#  - the series builds without system sleep (CONFIG_PM_SLEEP=n);
#  - W=1, sparse (C=2), clang (LLVM=1) and scripts/kernel-doc give no new
#    warnings against the base; changed .rst give no new docutils findings;
#  - bloat-o-meter of every touched object, tests and KUnit off.
# Prints findings as "! <patch or series>: <what>", then "build checks: N findings".
. "$(dirname "$0")/common.sh"
for t in sparse rst2pseudoxml; do
	command -v $t >/dev/null || die "'$t' not found (apt-get install sparse python3-docutils)"
done
src=$BUILD/check-src
frag=$TOP/harness/check.config
log=$BUILD/check-logs
mkdir -p "$log"
findings=0
finding() { echo "! $1"; findings=$((findings + 1)); }

[ -e "$src/.git" ] || wsgit worktree add -q -f --detach "$src" "$BASE_TAG"
head=$(wsgit rev-parse HEAD)	# the workspace's; HEAD in the worktree moves
files=$(wsgit diff --name-only "$BASE_TAG" "$head")
# Directories to build, without those below another one (drivers/net/ builds
# drivers/net/wwan/iosm/ too; naming both makes make race on it).
dirs=$(echo "$files" | grep '\.c$' | xargs -n1 dirname | sort -u |
	awk '{ for (i = 1; i <= n; i++) if (index($0 "/", d[i] "/") == 1) next; d[++n] = $0; print $0 "/" }')
echo "$files" | grep '\.[ch]$' > "$log/touched"

# build <commit> <O dir> <extra fragment lines> [make args]: build $dirs there.
build() {
	commit=$1 obj=$2 extra=$3
	shift 3
	git -C "$src" checkout -q -f "$commit"
	# Recompile the series' files at every build, so that base and head
	# report warnings for the same compilation units.
	(cd "$src" && for f in $files; do case $f in *.c) [ ! -f "$f" ] || touch "$f" ;; esac; done)
	printf '%s\n%s\n' "$(cat "$frag")" "$extra" > "$obj.config"
	mkdir -p "$obj"
	make -s -C "$src" ARCH=um O="$obj" "$@" allnoconfig KCONFIG_ALLCONFIG="$obj.config" >/dev/null 2>&1 &&
		make -C "$src" ARCH=um O="$obj" -j"${BUILD_JOBS:-$JOBS}" W=1 "$@" $dirs 2>&1
}
# Warnings without line numbers or paths outside the tree, one per line.
warnings() { grep -E 'warning:|error:' | sed -E "s|$src/||; s|:[0-9]+:([0-9]+:)? | |" | sort -u; }

tests="CONFIG_KUNIT=y
CONFIG_VCNL4000_KUNIT_TEST=y
CONFIG_VCNL4035_KUNIT_TEST=y
CONFIG_VIRTIO_SUSPEND_KUNIT_TEST=y
CONFIG_IOSM_KUNIT_TEST=y"

# 1. The base, then every patch on top of it.
build "$BASE_TAG" "$BUILD/check-obj" "$tests" C=2 CHECK=sparse > "$log/base.log" || die "the base does not build: $log/base.log"
warnings < "$log/base.log" > "$log/base.warnings"
# Every option check.config turns on must be in the build (allnoconfig drops
# one whose dependency is off without a word).
grep '^CONFIG_.*=y$' "$frag" | while read -r l; do
	grep -qx "$l" "$BUILD/check-obj/.config" || echo "$l"
done > "$log/dropped"
while read -r l; do finding "harness: $l (harness/check.config) is not in the build: a dependency is off"; done < "$log/dropped"
cp "$log/base.warnings" "$log/seen.warnings"
for c in $(wsgit rev-list --reverse "$BASE_TAG..$head"); do
	name=$(wsgit log -1 --format=%s "$c")
	if ! build "$c" "$BUILD/check-obj" "$tests" > "$log/step.log"; then
		finding "$name: does not build (W=1, UML): $(grep -m1 'error' "$log/step.log")"
		continue
	fi
	warnings < "$log/step.log" | comm -23 - "$log/seen.warnings" > "$log/new.warnings"
	while read -r w; do finding "$name: new warning: $w"; done < "$log/new.warnings"
	sort -u "$log/seen.warnings" "$log/new.warnings" -o "$log/seen.warnings"
done

# 1b. The series without system sleep (CONFIG_PM_SLEEP=n, so no tests):
# builds, and no warnings in the files it touches.
if build "$head" "$BUILD/check-nosleep" "# CONFIG_SUSPEND is not set" > "$log/nosleep.log" 2>&1; then
	! grep -q '^CONFIG_PM_SLEEP=y' "$BUILD/check-nosleep/.config" ||
		finding "series: the CONFIG_PM_SLEEP=n build has PM_SLEEP set"
	warnings < "$log/nosleep.log" | grep -F -f "$log/touched" |
		while read -r w; do echo "series: new warning with CONFIG_PM_SLEEP=n: $w"; done > "$log/nosleep.new"
	while read -r w; do finding "$w"; done < "$log/nosleep.new"
else
	finding "series: does not build with CONFIG_PM_SLEEP=n: $(grep -m1 'error' "$log/nosleep.log")"
fi

# 2. sparse over every file of the touched directories, final tree against base.
build "$head" "$BUILD/check-obj" "$tests" C=2 CHECK=sparse > "$log/head.log" || true
warnings < "$log/head.log" | comm -23 - "$log/base.warnings" | grep -v -F -f "$log/seen.warnings" |
	while read -r w; do echo "series: new sparse/W=1 warning: $w"; done > "$log/sparse.new"
while read -r w; do finding "$w"; done < "$log/sparse.new"

# 3. clang (LLVM=1, W=1): no warnings the base does not have. One job, as
# clang's multi-line diagnostics from parallel jobs interleave.
if command -v clang >/dev/null && command -v ld.lld >/dev/null; then
	BUILD_JOBS=1
	build "$BASE_TAG" "$BUILD/check-clang" "$tests" LLVM=1 > "$log/clang-base.log" 2>&1 || true
	warnings < "$log/clang-base.log" > "$log/clang-base.warnings"
	if build "$head" "$BUILD/check-clang" "$tests" LLVM=1 > "$log/clang-head.log" 2>&1; then
		warnings < "$log/clang-head.log" | comm -23 - "$log/clang-base.warnings" |
			while read -r w; do echo "series: new clang warning: $w"; done > "$log/clang.new"
		while read -r w; do finding "$w"; done < "$log/clang.new"
	else
		finding "series: does not build with LLVM=1: $(grep -m1 'error' "$log/clang-head.log")"
	fi
	BUILD_JOBS=
else
	echo "clang: not installed (apt-get install clang lld), skipped"
fi

# 4. kernel-doc on touched sources, and docutils on touched .rst files.
for f in $(echo "$files" | grep -E '\.[ch]$'); do
	for rev in "$BASE_TAG" "$head"; do
		git -C "$src" show "$rev:$f" > "$log/doc.src" 2>/dev/null || : > "$log/doc.src"
		perl "$src/scripts/kernel-doc" -none "$log/doc.src" 2>&1 | sed -E 's|^[^ ]*:[0-9]+: ||' | sort -u > "$log/kdoc.$rev"
	done
	comm -13 "$log/kdoc.$BASE_TAG" "$log/kdoc.$head" | while read -r w; do echo "series: kernel-doc $f: $w"; done > "$log/kdoc.new"
	while read -r w; do finding "$w"; done < "$log/kdoc.new"
done
for f in $(echo "$files" | grep '\.rst$'); do
	for rev in "$BASE_TAG" "$head"; do
		git -C "$src" show "$rev:$f" > "$log/doc.rst" 2>/dev/null || : > "$log/doc.rst"
		rst2pseudoxml --report=2 --halt=5 "$log/doc.rst" /dev/null 2>&1 |
			grep -v -e 'Unknown directive type' -e 'Unknown interpreted text role' \
				-e 'No directive entry' -e 'No role entry' -e 'Trying ".*" as canonical' \
				-e '^$' -e '^\.\. ' -e '^    ' |
			sed -E 's|^[^ ]*:[0-9]+: ||' | sort -u > "$log/rst.$rev"
	done
	comm -13 "$log/rst.$BASE_TAG" "$log/rst.$head" | while read -r w; do echo "series: docutils $f: $w"; done > "$log/rst.new"
	while read -r w; do finding "$w"; done < "$log/rst.new"
done

# 5. Size of the touched objects with the tests and KUnit off.
build "$BASE_TAG" "$BUILD/check-bloat" "" > /dev/null 2>&1 || true
rm -rf "$log/bloat-base" && mkdir -p "$log/bloat-base"
for f in $(echo "$files" | grep '\.c$'); do
	o=${f%.c}.o
	if [ -f "$BUILD/check-bloat/$o" ]; then
		mkdir -p "$log/bloat-base/$(dirname "$o")"
		cp "$BUILD/check-bloat/$o" "$log/bloat-base/$o"
	fi
done
build "$head" "$BUILD/check-bloat" "" > /dev/null 2>&1 || true
for f in $(echo "$files" | grep '\.c$'); do
	o=${f%.c}.o
	[ -f "$log/bloat-base/$o" ] && [ -f "$BUILD/check-bloat/$o" ] || continue
	echo "bloat-o-meter $o (tests off):"
	"$src/scripts/bloat-o-meter" -c "$log/bloat-base/$o" "$BUILD/check-bloat/$o" | grep -E '^(add/remove|Total)' | sed 's/^/  /'
done
git -C "$src" checkout -q -f "$BASE_TAG"
echo "build checks: $findings findings"
[ $findings -eq 0 ]
