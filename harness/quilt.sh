#!/bin/sh
# The series in Debian's debian/patches form: a quilt series file and a
# DEP-3 header on each patch, in build/debian-patches/. Checked by
# 'quilt push -a' onto a scratch copy of the pristine base.
. "$(dirname "$0")/common.sh"
command -v quilt >/dev/null || die "quilt not found (apt-get install quilt)"
out=$BUILD/debian-patches
rm -rf "$out"
mkdir -p "$out"

for p in $(series); do
	mkdir -p "$out/$(dirname "$p")"
	python3 - "$PATCHES/$p" "$p" > "$out/$p" <<'PY'
import email, sys, email.utils
path, name = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
head, _, rest = text.partition("\n\n")
msg = email.message_from_string(head + "\n\n")
subject = " ".join(msg["Subject"].split())
subject = subject.split("] ", 1)[1] if subject.startswith("[PATCH") else subject
body, _, diff = rest.partition("\n---\n")
date = email.utils.parsedate_to_datetime(msg["Date"]).strftime("%Y-%m-%d")
print("Description: " + subject)
for line in body.rstrip("\n").split("\n"):
    print(" " + line if line.strip() else " .")
print("Author: " + " ".join(msg["From"].split()))
print("Origin: other, " + name + " of the pm-series patch queue")
print("Forwarded: no")
print("Last-Update: " + date)
print("---")
print(diff.split("\ndiff --git", 1)[0].rstrip("\n"))
print("\ndiff --git" + diff.split("\ndiff --git", 1)[1], end="")
PY
done
series > "$out/series"

scratch=$BUILD/quilt-check
rm -rf "$scratch"
mkdir -p "$scratch"
wsgit archive "$BASE_TAG" | tar -x -C "$scratch"
if (cd "$scratch" && QUILT_PATCHES="$out" quilt push -a -q >"$BUILD/quilt-check.log" 2>&1); then
	echo "quilt: $(wc -l < "$out/series") patches with DEP-3 headers in $out, all pushed onto the base"
	rm -rf "$scratch"
else
	tail -n 5 "$BUILD/quilt-check.log"
	die "quilt push -a failed on the pristine base (log: $BUILD/quilt-check.log)"
fi
