#!/bin/sh
# make e2e: the series and the unpatched base, each built for x86_64 with the
# same config (harness/e2e.config), booted under QEMU with the same devices
# and the same guest script (harness/e2e-init.sh), taken through s2idle, S3
# and hibernation (harness/e2e.py); report side by side. Last line:
# "N passed, N failed" over the series' checks.
. "$(dirname "$0")/common.sh"
: "${E2E_CYCLES:=3}" "${E2E_MACHINES:=pc microvm}"
N=$E2E_CYCLES
: "${E2E_PLAN_pc:=s2idle:$N,deep:$N,disk-platform:$N,disk-shutdown:$N}"
: "${E2E_PLAN_microvm:=s2idle:$N,disk-shutdown:$N}"
# .kunitconfig directories whose suites also run on x86_64 (README: which run where)
: "${E2E_KUNIT_X86=drivers/iio/light}"
E2E=$BUILD/e2e
OUT=$RESULTS/e2e

need() { command -v "$1" >/dev/null || die "'$1' not found: apt-get install $2"; }
need qemu-system-x86_64 qemu-system-x86
need busybox busybox-static
need cpio cpio
need gzip gzip
need python3 python3
for t in flex bison bc gcc make; do need $t "flex bison bc gcc make libelf-dev libssl-dev"; done
bb=$(command -v busybox)
ldd "$bb" 2>&1 | grep -q 'not a dynamic' || die "$bb is not static: apt-get install busybox-static"

for m in $E2E_MACHINES; do
	case $m in pc | microvm) ;; *) die "E2E_MACHINES: unknown machine '$m' (pc, microvm)" ;; esac
	eval plan=\$E2E_PLAN_$m
	for step in $(echo "$plan" | tr ',' ' '); do
		case $step in
		s2idle:[1-9]* | deep:[1-9]* | disk-platform:[1-9]* | disk-shutdown:[1-9]*)
			[ -z "$(echo "${step#*:}" | tr -d 0-9)" ] && continue ;;
		esac
		die "E2E_PLAN_$m: '$step' is not <s2idle|deep|disk-platform|disk-shutdown>:<cycles >= 1>"
	done
done
[ -z "$(wsgit status --porcelain --untracked-files=no)" ] ||
	echo "warning: uncommitted edits in $WS are not in the e2e kernel (it is built from HEAD)" >&2
# Never leave a QEMU behind, whatever stops us.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT INT TERM

start=$(date +%s)
"$TOP/harness/e2e-build.sh" base "$BASE_TAG"
"$TOP/harness/e2e-build.sh" series HEAD

for k in base series; do
	st=$E2E/initrd-$k
	rm -rf "$st" && mkdir -p "$st/bin"
	cp "$bb" "$st/bin/busybox"
	install -m 755 "$TOP/harness/e2e-init.sh" "$st/init"
	cp -r "$E2E/$k/modules/lib" "$st/lib"
	(cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$E2E/$k/initrd.gz"
done
built=$(date +%s)

rm -rf "$OUT"
mkdir -p "$OUT"
# The series' KUnit suites that need no UML-only emulation (logic_iomem
# register windows, UML's DMA) run on x86_64 under QEMU too, so that they
# do not depend on UML by accident.
set --
for c in $E2E_KUNIT_X86; do set -- "$@" "--kunitconfig=$WS/$c"; done
if [ $# -gt 0 ]; then
	echo ">> e2e: KUnit on x86_64 under QEMU ($E2E_KUNIT_X86)"
	python3 "$WS/tools/testing/kunit/kunit.py" run --arch=x86_64 --build_dir="$BUILD/kunit-x86_64" \
		--jobs="$JOBS" --timeout=600 --json="$OUT/kunit-x86_64.json" "$@" >"$OUT/kunit-x86_64.log" 2>&1 || true
	python3 "$TOP/harness/summarize.py" "$OUT/kunit-x86_64.json" | sed 's/^/   /' || true
fi
kunit_done=$(date +%s)

for m in $E2E_MACHINES; do
	eval plan=\$E2E_PLAN_$m
	echo ">> e2e: $m: $plan, base and series side by side"
	for k in base series; do
		mkdir -p "$OUT/$k/$m"
		python3 "$TOP/harness/e2e.py" run "$OUT/$k/$m" --kernel "$E2E/$k/bzImage" \
			--initrd "$E2E/$k/initrd.gz" --machine "$m" --plan "$plan" \
			>"$OUT/$k/$m/driver.log" 2>&1 &
	done
	wait
	cat "$OUT"/*/"$m"/driver.log | sed "s/^/   /"
done
echo ">> e2e: kernels $((built - start)) s, KUnit x86_64 $((kunit_done - built)) s, guests $(($(date +%s) - kunit_done)) s; results in $OUT"
python3 "$TOP/harness/e2e.py" report "$OUT" $E2E_MACHINES
