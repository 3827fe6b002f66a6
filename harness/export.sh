#!/bin/sh
# Regenerate patches/ from the workspace commits (base..HEAD): one directory
# per topic, numbered within it, and patches/series in commit order.
# Hand-written cover letters (0000-cover-letter.patch) are kept.
. "$(dirname "$0")/common.sh"
[ -d "$WS/.git" ] || die "no workspace at $WS: run make first"
[ -z "$(wsgit status --porcelain)" ] || { wsgit status --short | head; die "commit your workspace changes before exporting"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wsgit format-patch -q --zero-commit --no-signature --no-numbered -o "$tmp" "$BASE_TAG..HEAD"

# Check every subject maps to a topic before touching patches/.
for f in "$tmp"/*.patch; do
	[ -e "$f" ] || die "the workspace has no commits on top of the base"
	subj=$(sed -n 's/^Subject: \[PATCH\] //p' "$f" | head -n 1)
	topic_of "$subj" >/dev/null || die "no topic for \"$subj\": add its subject prefix to topic_of() in harness/common.sh"
done

find "$PATCHES" -name '*.patch' ! -name '0000-cover-letter.patch' -delete 2>/dev/null || true
mkdir -p "$PATCHES"
: > "$tmp/series"
for f in "$tmp"/*.patch; do
	subj=$(sed -n 's/^Subject: \[PATCH\] //p' "$f" | head -n 1)
	topic=$(topic_of "$subj")
	mkdir -p "$PATCHES/$topic"
	n=$(find "$PATCHES/$topic" -name '[0-9]*.patch' ! -name '0000-*' | wc -l)
	name=$(printf '%04d-%s' $((n + 1)) "$(basename "$f" | cut -d- -f2-)")
	mv "$f" "$PATCHES/$topic/$name"
	echo "$topic/$name" >> "$tmp/series"
done
find "$PATCHES" -mindepth 1 -type d -empty -delete
mv "$tmp/series" "$PATCHES/series"

# Blank context lines as empty lines: git am and quilt take them, and
# checkpatch run on a patch that git tracks (it then reads the patch as a
# source file) no longer sees trailing whitespace in them.
find "$PATCHES" -name '*.patch' ! -name '0000-cover-letter.patch' -exec sed -i 's/^ $//' {} +

# Number each topic's patches as the series mailed to its maintainers, and
# address each to whom the workspace's get_maintainer.pl names (common.sh).
for dir in "$PATCHES"/*/; do
	set -- $(grep "^$(basename "$dir")/" "$PATCHES/series" | sed "s|^|$PATCHES/|")
	i=0
	for f in "$@"; do
		i=$((i + 1))
		sed -i "1,/^Subject: /s|^Subject: \\[PATCH\\] |Subject: [PATCH $i/$#] |" "$f"
		add_to_cc "$f" "$(recipients "$f" | to_cc_headers)"
	done
done

# A cover letter per topic: its hand-written cover-letter.txt (subject on
# the first line, then the body), the shortlog and the diffstat, to all the
# To:/Cc: of its patches.
for dir in "$PATCHES"/*/; do
	topic=$(basename "$dir")
	[ -f "$dir/cover-letter.txt" ] || continue
	set -- $(grep "^$topic/" "$PATCHES/series" | sed "s|^|$PATCHES/|")
	files=$(cat "$@" | sed -n 's|^+++ b/||p; s|^--- a/||p' | sort -u)
	base=$(wsgit log --reverse --format=%H "$BASE_TAG..HEAD" -- $files | head -n 1)
	{
		echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
		# the sender: whoever committed the series (a backport keeps its author)
		echo "From: $(wsgit log -1 --format='%cn <%ce>' HEAD)"
		echo "Subject: [PATCH 0/$#] $(head -n 1 "$dir/cover-letter.txt")"
		for f in "$@"; do to_cc "$f"; done | to_cc_headers
		echo
		tail -n +3 "$dir/cover-letter.txt"
		echo
		wsgit log --reverse --format='  %s' "$base^..HEAD" -- $files
		echo
		wsgit diff --stat=72 "$base^" HEAD -- $files
	} > "$dir/0000-cover-letter.patch"
done
record_stamp
echo ">> exported $(wc -l < "$PATCHES/series") patches to patches/ (see git status)"
