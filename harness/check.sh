#!/bin/sh
# Review gate: checkpatch --strict and the patch form on every patch.
# Every finding is printed with its patch; the last line says how many.
. "$(dirname "$0")/common.sh"
command -v perl >/dev/null || die "perl not found (apt-get install perl)"
cp=$WS/scripts/checkpatch.pl
[ -f "$cp" ] || die "$cp not found: run make first"

# Justified exceptions, passed to checkpatch with --ignore:
# - FILE_PATH_CHANGES ("does MAINTAINERS need updating?") fires for every
#   new file; the new test files sit in directories MAINTAINERS covers.
# - UNKNOWN_COMMIT_ID: checkpatch looks Fixes: ids up with git, and the
#   workspace is a tarball without upstream history. The form of each
#   Fixes: tag is checked below instead; the ids were checked by hand
#   against the upstream history (see the patches' changelogs).
IGNORE=FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID

findings=0 bad=0 n=0
for p in $(series); do
	n=$((n + 1))
	out=$(GIT_DIR=/nonexistent perl "$cp" --strict --terse --no-tree --ignore $IGNORE \
		"$PATCHES/$p" 2>/dev/null | grep -E '(ERROR|WARNING|CHECK):' | sed "s|^$PATCHES/||" || true)
	# Patch form: sign-off, subject prefix of the topic, Fixes: form.
	grep -q '^Signed-off-by: ' "$PATCHES/$p" || out="$out
$p: FORM: no Signed-off-by"
	subj=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$PATCHES/$p" | head -n 1)
	[ "$(topic_of "$subj" || true)" = "$(dirname "$p")" ] || out="$out
$p: FORM: subject \"$subj\" does not carry the $(dirname "$p") prefix"
	grep '^Fixes:' "$PATCHES/$p" | grep -vqE '^Fixes: [0-9a-f]{12,40} \(".+"\)$' && out="$out
$p: FORM: Fixes: tag not in the form Fixes: <12+ hex> (\"subject\")"
	out=$(echo "$out" | sed '/^$/d')
	if [ -n "$out" ]; then
		echo "$out"
		findings=$((findings + $(echo "$out" | wc -l)))
		bad=$((bad + 1))
	fi
done
echo "checkpatch --strict and patch form: $findings findings in $bad of $n patches"
[ $findings -eq 0 ]
