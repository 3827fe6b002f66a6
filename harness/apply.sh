#!/bin/sh
# Put patches/series on top of the base in the workspace with git am.
. "$(dirname "$0")/common.sh"
command -v git >/dev/null || die "git not found (apt-get install git)"

if [ -n "$KERNEL_SRC" ]; then
	is_kernel_tree "$WS" || die "KERNEL_SRC=$KERNEL_SRC is not a kernel source tree (no Makefile/Kconfig/tools/testing/kunit)"
	wsgit rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		die "KERNEL_SRC=$KERNEL_SRC is not a git work tree: 'git init && git add -A && git commit' there first, or apply patches/ with quilt (README)"
	if ! wsgit rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null; then
		[ -z "$(wsgit status --porcelain --untracked-files=no)" ] ||
			die "KERNEL_SRC has uncommitted changes; commit or stash them first"
		wsgit tag "$BASE_TAG"
		echo ">> tagged $(wsgit log -1 --format='%h %s') as $BASE_TAG in $WS"
	fi
elif [ ! -d "$WS/.git" ]; then
	"$TOP/harness/fetch-base.sh"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wsgit rev-parse HEAD) $(patches_hash)" ] &&
   [ -z "$(wsgit status --porcelain)" ]; then
	echo ">> workspace $WS is up to date with patches/series"
	exit 0
fi

if ! out=$(workspace_clean); then
	echo "$out" >&2
	die "the workspace holds work that is not in patches/: run 'make export' (or discard it) before 'make' re-applies the series"
fi

echo ">> applying patches/series to $WS"
wsgit am --abort >/dev/null 2>&1 || true
wsgit checkout -q -B series "$BASE_TAG"
n=0
for p in $(series); do
	[ -f "$PATCHES/$p" ] || die "patches/series names $p, which does not exist"
	if ! msg=$(wsgit am -q --keep-cr "$PATCHES/$p" 2>&1); then
		wsgit am --abort >/dev/null 2>&1 || true
		wsgit checkout -q -B series "$BASE_TAG"
		rm -f "$STAMP"
		echo "$msg" | grep -v '^hint:' >&2
		die "patch $p does not apply (workspace reset to the base; fix the patch and run make again)"
	fi
	n=$((n + 1))
done
record_stamp
echo ">> $n patches applied on $(wsgit log -1 --format=%s "$BASE_TAG")"
