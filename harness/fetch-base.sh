#!/bin/sh
# Download Debian's kernel source package once (cached outside the clone),
# unpack it into build/linux and commit it as the workspace base.
. "$(dirname "$0")/common.sh"

command -v apt-get >/dev/null || die "apt-get not found: this harness takes the base from Debian's $BASE_PKG package; on another system unpack a 6.12 tree yourself and run 'make KERNEL_SRC=/path/to/it'"
for t in dpkg-deb tar xz git; do
	command -v $t >/dev/null || die "'$t' not found (Debian package: $(case $t in dpkg-deb) echo dpkg;; xz) echo xz-utils;; *) echo $t;; esac))"
done

mkdir -p "$CACHE" "$BUILD"
deb=$(ls "$CACHE/${BASE_PKG}_${BASE_VERSION}_all.deb" 2>/dev/null || true)
if [ -z "$deb" ]; then
	echo ">> downloading $BASE_PKG=$BASE_VERSION into $CACHE"
	if ! (cd "$CACHE" && apt-get download -q "$BASE_PKG=$BASE_VERSION" 2>&1 | grep -v '^W: Download is performed unsandboxed'); then
		apt-cache show "$BASE_PKG" >/dev/null 2>&1 ||
			die "apt does not know $BASE_PKG: enable Debian bookworm-security (or bookworm-backports) in /etc/apt/sources.list and run 'apt-get update'"
		newest=$(apt-cache madison "$BASE_PKG" | awk 'NR==1 {print $3}')
		echo "WARNING: $BASE_PKG $BASE_VERSION is no longer in the archive; using the newest, $newest (untested)" >&2
		(cd "$CACHE" && apt-get download -q "$BASE_PKG=$newest") || die "apt-get download $BASE_PKG=$newest failed"
		BASE_VERSION=$newest
	fi
	deb=$(ls "$CACHE/${BASE_PKG}_${BASE_VERSION}_all.deb" 2>/dev/null) || die "downloaded package not found in $CACHE"
fi

echo ">> unpacking $(basename "$deb")"
rm -rf "$BUILD/unpack" "$WS"
mkdir -p "$BUILD/unpack"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$BASE_PKG.tar.xz" | tar -xJ -C "$BUILD/unpack" ||
	die "could not unpack $deb (is it a kernel source package?)"
mv "$BUILD/unpack/$BASE_PKG" "$WS" && rmdir "$BUILD/unpack"
is_kernel_tree "$WS" || die "$deb did not contain a kernel tree"

# Debian's tarball ignores every top-level path ("/*") in its .gitignore,
# which would hide files the series adds. Drop that block in the base.
sed -i -e '/^# Debian packaging:/,$d' "$WS/.gitignore"
sed -i -e '${/^#$/d}' "$WS/.gitignore"

echo ">> committing the base in $WS"
git init -q -b series "$WS"
wsgit config user.name "pm-series workspace"
wsgit config user.email "workspace@localhost"
wsgit config core.abbrev 12
# The tarball is all source: -f keeps its dotfiles (.kunitconfig, ...).
wsgit add -A -f
wsgit commit -q -m "Debian $BASE_PKG $BASE_VERSION (base of the series)"
wsgit tag "$BASE_TAG"
echo "$BASE_VERSION" > "$BUILD/base-version"
