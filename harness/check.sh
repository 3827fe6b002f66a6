#!/bin/sh
# Review gate: scripts/checkpatch.pl --strict on every patch of the series.
# Last line: how many findings in how many patches; exit non-zero on any.
. "$(dirname "$0")/common.sh"
command -v perl >/dev/null || die "perl not found (apt-get install perl)"
cp=$WS/scripts/checkpatch.pl
[ -f "$cp" ] || die "$cp not found: run make first"

findings=0 bad=0 n=0
for p in $(series); do
	n=$((n + 1))
	# Run outside any git tree: the workspace has no upstream history, so
	# checkpatch could not look up Fixes: ids there and would warn.
	# Exception: FILE_PATH_CHANGES ("does MAINTAINERS need updating?") fires
	# for every new file; the new test files sit under directories that
	# MAINTAINERS already covers (F: drivers/iio/, drivers/virtio/, ...).
	out=$(cd /tmp && perl "$cp" --strict --terse --no-tree --ignore FILE_PATH_CHANGES \
		"$PATCHES/$p" 2>/dev/null | grep -E '(ERROR|WARNING|CHECK):' || true)
	if [ -n "$out" ]; then
		echo "$out" | sed "s|^$PATCHES/||"
		findings=$((findings + $(echo "$out" | wc -l)))
		bad=$((bad + 1))
	fi
done
echo "checkpatch --strict: $findings findings in $bad of $n patches"
[ $findings -eq 0 ]
