#!/bin/sh
# e2e-build.sh <name> <commit>: build the x86_64 guest kernel of `make e2e`
# from <commit> of the workspace, checked out in one git worktree
# ($BUILD/e2e/src) shared by all kernels, into an object directory of its own
# ($BUILD/e2e/obj-<name>). The config is tinyconfig plus harness/e2e.config,
# the same for every kernel. With ccache (paths relative to $BUILD/e2e, one
# source path), the second kernel compiles only what its commit changed.
# Leaves $BUILD/e2e/<name>/bzImage and $BUILD/e2e/<name>/modules/.
. "$(dirname "$0")/common.sh"
name=$1 rev=$2
E2E=$BUILD/e2e
src=$E2E/src obj=$E2E/obj-$name out=$E2E/$name
frag=$TOP/harness/e2e.config
log=$E2E/build-$name.log
mkdir -p "$E2E" "$out"

commit=$(wsgit rev-parse -q --verify "$rev^{commit}") || die "$rev: no such commit in $WS"
if [ ! -e "$src/.git" ]; then
	wsgit worktree prune
	wsgit worktree add -q --detach "$src" "$commit" || die "cannot add a worktree of $WS at $src"
elif [ "$(git -C "$src" rev-parse HEAD)" != "$commit" ]; then
	git -C "$src" checkout -q --detach "$commit" || die "cannot check out $rev in $src"
fi

set -- ARCH=x86_64 -j"$JOBS"
if command -v ccache >/dev/null; then
	export CCACHE_DIR="$E2E/ccache" CCACHE_BASEDIR="$E2E" CCACHE_NOHASHDIR=1
	set -- "$@" CC="ccache gcc"
fi
mk() { make -C "$src" O="$obj" "$@" >>"$log" 2>&1; }
# Reconfigure (and check the fragment again) when it or the commit changes.
stamp="$(sha256sum <"$frag" | cut -c1-16) $commit"
: >"$log"
if [ "$(cat "$obj/.e2e-config" 2>/dev/null)" != "$stamp" ]; then
	echo ">> e2e: configuring the $name kernel (tinyconfig + harness/e2e.config)"
	mkdir -p "$obj"
	mk "$@" tinyconfig || die "tinyconfig failed for $name (log: $log)"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >>"$log" 2>&1 ||
		die "merge_config.sh failed for $name (log: $log)"
	mk "$@" olddefconfig || die "olddefconfig failed for $name (log: $log)"
	# Every line of the fragment must have survived: a dropped option
	# (an unmet dependency) would silently test less.
	missing=$(grep '^CONFIG_' "$frag" | while read -r l; do
		grep -qx "$l" "$obj/.config" || echo "$l"; done)
	[ -z "$missing" ] || die "the $name config lost $(echo $missing) (unmet dependencies; log: $log)"
	echo "$stamp" >"$obj/.e2e-config"
fi

echo ">> e2e: building the $name kernel ($(git -C "$src" log -1 --format='%h %s' | cut -c1-60))"
start=$(date +%s)
if ! mk "$@" bzImage modules; then
	grep -E 'error|Error' "$log" | head -n 20 >&2
	die "the $name kernel does not build (log: $log)"
fi
rm -rf "$out/modules"
mk "$@" INSTALL_MOD_PATH="$out/modules" INSTALL_MOD_STRIP=1 DEPMOD=/bin/true modules_install ||
	die "modules_install failed for $name (log: $log)"
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
git -C "$src" log -1 --format='%H %s' >"$out/commit"
echo ">> e2e: $name kernel ready in $(($(date +%s) - start)) s ($(make -s -C "$src" O="$obj" "$@" kernelrelease))"
