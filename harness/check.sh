#!/bin/sh
# make check: the review gate. Each part prints its findings as
# "! <patch>: <what>" ("series" when no single patch is to blame) and its time;
# the last line says how many findings in how many patches.
# CHECK_PARTS selects parts (default: all): patches build sanitizers
. "$(dirname "$0")/common.sh"
: "${CHECK_PARTS:=patches build sanitizers}"
command -v perl >/dev/null || die "perl not found (apt-get install perl)"
cp=$WS/scripts/checkpatch.pl
[ -f "$cp" ] || die "$cp not found: run make first"
all=$BUILD/check-findings.txt
: > "$all"

# Justified exceptions, passed to checkpatch with --ignore:
# - FILE_PATH_CHANGES ("does MAINTAINERS need updating?") fires for every
#   new file; the new test files sit in directories MAINTAINERS covers.
# - UNKNOWN_COMMIT_ID: checkpatch looks Fixes: ids up with git, and the
#   workspace is a tarball without upstream history. The form of each
#   Fixes: tag is checked below instead; the ids were checked by hand
#   against the upstream history.
# - GIT_COMMIT_ID, only in a stable-style backport: its body names the
#   upstream commit as "commit <40 hex> upstream.", the form the stable
#   trees use, which checkpatch takes for a malformed commit reference.
#   That line's form is checked below instead.
IGNORE=FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID

# missing <patch file> <name>: a finding for each "To:/Cc: <who>" line on
# stdin whose address the patch's To:/Cc: headers lack.
missing() {
	have=$(to_cc "$1" | grep -oE '[^<>", ]+@[^<>", ]+' | tr 'A-Z' 'a-z')
	while read -r _ who; do
		echo "$have" | grep -qxF "$(echo "$who" | grep -oE '[^<>", ]+@[^<>", ]+' | tr 'A-Z' 'a-z')" ||
			echo "! $2: FORM: To/Cc misses $who named by get_maintainer.pl"
	done
}

check_patches() {
	rm -f "$BUILD"/check-recipients.*
	for p in $(series); do
		ign=$IGNORE
		if grep -qi '^commit [0-9a-f]* upstream' "$PATCHES/$p"; then
			ign=$ign,GIT_COMMIT_ID
			grep -qE '^commit [0-9a-f]{40} upstream\.$' "$PATCHES/$p" ||
				echo "! $p: FORM: backport line not in the form commit <40 hex> upstream."
		fi
		GIT_DIR=/nonexistent perl "$cp" --strict --terse --no-tree --ignore $ign \
			"$PATCHES/$p" 2>/dev/null | grep -E '(ERROR|WARNING|CHECK):' | sed "s|^$PATCHES/|! |" || true
		# Patch form: sign-off, subject prefix of the topic, Fixes: form, and
		# To:/Cc: hold everyone the workspace's get_maintainer.pl names.
		grep -q '^Signed-off-by: ' "$PATCHES/$p" || echo "! $p: FORM: no Signed-off-by"
		subj=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$PATCHES/$p" | head -n 1)
		[ "$(topic_of "$subj" || true)" = "$(dirname "$p")" ] ||
			echo "! $p: FORM: subject \"$subj\" does not carry the $(dirname "$p") prefix"
		if grep '^Fixes:' "$PATCHES/$p" | grep -vqE '^Fixes: [0-9a-f]{12,40} \(".+"\)$'; then
			echo "! $p: FORM: Fixes: tag not in the form Fixes: <12+ hex> (\"subject\")"
		fi
		recipients "$PATCHES/$p" | tee -a "$BUILD/check-recipients.$(dirname "$p")" | missing "$PATCHES/$p" "$p"
	done
	# Each cover letter goes to everyone its patches go to.
	for c in "$PATCHES"/*/0000-cover-letter.patch; do
		t=$(basename "$(dirname "$c")")
		[ -f "$c" ] && [ -f "$BUILD/check-recipients.$t" ] || continue
		sort -u "$BUILD/check-recipients.$t" | missing "$c" "$t/0000-cover-letter.patch"
	done
}

run() {
	part=$1
	shift
	start=$(date +%s)
	echo ">> $part"
	"$@" > "$BUILD/check-$part.out" 2>&1 || true
	# A part that died (error: ...) is a finding too.
	sed -n 's/^! //p; s/^\(error: .*\)/series: \1/p' "$BUILD/check-$part.out" | tee -a "$all"
	grep -vE '^(! |error: )' "$BUILD/check-$part.out" || true
	echo "   ($part: $(($(date +%s) - start)) s)"
}

for part in $CHECK_PARTS; do
	case $part in
	patches) run patches check_patches ;;
	build) run build "$TOP/harness/check-build.sh" ;;
	sanitizers) run sanitizers "$TOP/harness/check-sanitizers.sh" ;;
	*) die "unknown check part '$part'" ;;
	esac
done

n=$(wc -l < "$all")
patches=$(cut -d: -f1 "$all" | sort -u | wc -l)
echo "make check ($CHECK_PARTS): $n findings in $patches patches"
[ "$n" -eq 0 ]
