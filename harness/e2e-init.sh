#!/bin/busybox sh
# /init of the `make e2e` guest (busybox). It runs the plan given on the
# kernel command line (e2e.plan=s2idle:3,deep:3,disk-platform:2,...), checks
# every device after every transition, and reports on the serial console in
# lines harness/e2e.py reads:
#   E2E-BOOT                         a fresh boot (not a restore)
#   E2E-GO <transition> <cycle>      about to write /sys/power/state
#   E2E-WOKE <transition> <cycle> <rc>   the write returned
#   E2E-HOST <transition> <cycle>    host-side checks now, answer "go" on ttyS0
#   E2E-RESULT <transition> <cycle> <device> pass|fail [why]
#   E2E-TIME <transition> <cycle> <device> <suspend us> <resume us>
#   E2E-DISKSUM <md5 of the data disk's first 4 MiB>
#   E2E-DONE
export PATH=/bin
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

disk_by_serial() {
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && echo "${b##*/}" && return
	done
}
DATA=$(disk_by_serial e2edata)
SWAP=$(disk_by_serial e2eswap)

# Resume from hibernation before anything touches a disk. With an image on
# the swap disk this write does not return: the image kernel goes on where it
# wrote "disk" to /sys/power/state.
[ -n "$SWAP" ] && cat "/sys/block/$SWAP/dev" >/sys/power/resume
echo "E2E-BOOT"

: >/tmp/log
PLAN=$(sed -n 's/.*e2e\.plan=\([^ ]*\).*/\1/p' /proc/cmdline)
KREL=$(uname -r)

result() { echo "E2E-RESULT $T $C $*"; }
check() { # check <device> <command...>: pass when the command succeeds
	dev=$1; shift
	if out=$("$@" 2>&1); then result "$dev" pass; else result "$dev" fail "$(echo "$out" | tail -n 1)"; fi
}

# --- setup -----------------------------------------------------------------
T=boot C=0
[ -n "$DATA" ] || result disk fail "no disk with serial e2edata"
[ -n "$SWAP" ] || result swap fail "no disk with serial e2eswap"
mkswap "/dev/$SWAP" >/dev/null && swapon "/dev/$SWAP" || result swap fail "mkswap/swapon"
dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null
dd if=/tmp/pattern of="/dev/$DATA" bs=1M oflag=direct conv=fsync 2>/dev/null
SUM=$(md5sum </tmp/pattern | cut -d' ' -f1)

ip link set lo up
# Both NICs are ours: let each answer ARP whose sender is the other's
# (local) address, so an arping from one crosses the hub to the other.
for f in /proc/sys/net/ipv4/conf/*/accept_local; do echo 1 >"$f"; done
ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up
ip addr add 10.0.0.2/24 dev eth1 && ip link set eth1 up

# The guest holds the virtio console open across every transition.
if [ -c /dev/hvc0 ]; then
	exec 3<>/dev/hvc0
	stty -F /dev/hvc0 raw -echo
fi

EVDEV=
for e in /sys/class/input/event*; do
	grep -q "Virtio Keyboard" "$e/device/name" 2>/dev/null && EVDEV=/dev/input/${e##*/}
done

# The light sensors on i2c-stub, registers preloaded (word layout):
# VCNL4040 ID 0x0186 in 0x0c, VCNL4200 ID 0x1058 in 0x0e, VCNL4035 ID 0x80
# in 0x0e; ambient light data in 0x09 (4040/4200). vcnl4035 reads its
# illuminance channel from 0x0c (WHITE_DATA), not 0x0b (ALS_DATA): both
# hold the same value, so the check does not depend on that.
insmod "/lib/modules/$KREL/kernel/drivers/i2c/i2c-stub.ko" chip_addr=0x51,0x60,0x61
BUS=$(for a in /sys/bus/i2c/devices/i2c-*; do grep -q "SMBus stub" "$a/name" && echo "${a##*-}"; done | head -n 1)
i2cset -y "$BUS" 0x60 0x0c 0x0186 w && i2cset -y "$BUS" 0x60 0x09 4660 w
i2cset -y "$BUS" 0x51 0x0e 0x1058 w && i2cset -y "$BUS" 0x51 0x09 1383 w
i2cset -y "$BUS" 0x61 0x0e 0x0080 w && i2cset -y "$BUS" 0x61 0x0b 2748 w && i2cset -y "$BUS" 0x61 0x0c 2748 w
echo vcnl4040 0x60 >"/sys/bus/i2c/devices/i2c-$BUS/new_device"
echo vcnl4200 0x51 >"/sys/bus/i2c/devices/i2c-$BUS/new_device"
echo vcnl4035 0x61 >"/sys/bus/i2c/devices/i2c-$BUS/new_device"

sensor() { # sensor <i2c address> <expected raw>
	d=$(echo "/sys/bus/i2c/devices/$BUS-00$1"/iio:device*)
	[ -e "$d" ] || { echo "no IIO device on $BUS-00$1"; return 1; }
	v=$(cat "$d/in_illuminance_raw") || return 1
	[ "$v" = "$2" ] || { echo "read $v, expected $2"; return 1; }
}

# The modem driver has no device here: it must load and unload cleanly.
iosm() {
	insmod "/lib/modules/$KREL/kernel/drivers/net/wwan/iosm/iosm.ko" && rmmod iosm
}

# Device names in pm_print_times lines -> what they are (virtio driver of
# the transport device, disk role, sensor).
: >/tmp/names
for v in /sys/bus/virtio/devices/virtio*; do
	p=$(basename "$(readlink -f "$v/..")")
	n=$(basename "$(readlink "$v/driver")")
	for b in "$v"/block/vd*; do
		[ -e "$b/serial" ] && n="$n:$(cat "$b/serial" | sed 's/^e2e//')"
	done
	echo "$p $n" >>/tmp/names
done
for s in 0060:vcnl4040 0051:vcnl4200 0061:vcnl4035; do
	echo "$BUS-${s%%:*} ${s#*:}" >>/tmp/names
done
echo 1 >/sys/power/pm_print_times
# s2idle wakes on the ACPI power button, or on input on the serial line
# (microvm has no power button the kernel sees).
for w in /sys/class/tty/ttyS0/power/wakeup /sys/class/tty/ttyS0/device/power/wakeup; do
	[ -e "$w" ] && echo enabled >"$w"
done
if grep -q 'e2e.debug' /proc/cmdline; then
	for d in /sys/bus/iio/devices/*; do echo "$d: $(cat "$d/name")"; done
	for e in /sys/class/input/event*; do echo "$e: $(cat "$e/device/name")"; done
	dmesg | grep -i -E 'vcnl|i2c|input'
fi

# A kernel log that fails the cycle: splats, a hung task, a PM callback
# that returned an error.
BAD='WARNING:|BUG:|Oops|Call Trace|possible circular|inconsistent lock|blocked for more|returned -[0-9]+ after|PM: .*[Ff]ailed|dpm_run_callback'

checks() {
	check disk sh -c "dd if=/dev/$DATA bs=1M count=4 iflag=direct 2>/dev/null | md5sum | grep -q $SUM &&
		dd if=/dev/urandom of=/tmp/w bs=64k count=1 2>/dev/null &&
		dd if=/tmp/w of=/dev/$DATA bs=64k seek=64 oflag=direct conv=fsync 2>/dev/null &&
		dd if=/dev/$DATA bs=64k skip=64 count=1 iflag=direct 2>/dev/null | cmp - /tmp/w"
	check net sh -c 'arping -q -c 1 -w 3 -I eth0 10.0.0.2 && arping -q -c 1 -w 3 -I eth1 10.0.0.1'
	check rng sh -c '[ "$(timeout 5 dd if=/dev/hwrng bs=32 count=1 2>/dev/null | wc -c)" -eq 32 ]'
	check vcnl4040 sensor 60 4660
	check vcnl4200 sensor 51 1383
	check vcnl4035 sensor 61 2748
	check tmpfs sh -c "md5sum </tmp/pattern | grep -q $SUM"
	# Console and input need the host: start the readers, ask, wait for "go".
	rm -f /tmp/pong /tmp/ev
	cpid=
	if [ -c /dev/hvc0 ]; then
		(timeout 30 sh -c "while read -r l; do [ \"\$l\" = pong-$T-$C ] && echo \"\$l\" && break; done" <&3 >/tmp/pong) &
		cpid=$!
	fi
	ipid=
	if [ -n "$EVDEV" ]; then
		(timeout 30 dd if="$EVDEV" of=/tmp/ev bs=24 count=1 2>/dev/null) &
		ipid=$!
	fi
	sleep 0.5
	[ -c /dev/hvc0 ] && echo "ping-$T-$C" >&3
	echo "E2E-HOST $T $C"
	while read -r line; do case $line in *"go $T $C"*) break ;; esac; done
	[ -z "$cpid" ] || wait $cpid
	if [ -n "$cpid" ]; then check console grep -qx "pong-$T-$C" /tmp/pong; else result console fail "no /dev/hvc0"; fi
	if [ -n "$ipid" ]; then wait $ipid; check input test "$(wc -c </tmp/ev 2>/dev/null)" = 24
	else result input fail "no virtio keyboard"; fi
	# Kernel log since the last check (the transition's included): splats
	# and failed callbacks fail the cycle; callback times.
	dmesg -c >>/tmp/log
	grep -q 'e2e.debug' /proc/cmdline && grep returned /tmp/log | head -n 5
	if grep -E "$BAD" /tmp/log >/tmp/bad; then
		result dmesg fail "$(head -n 1 /tmp/bad | cut -c1-120)"
	else
		result dmesg pass
	fi
	awk -v t="$T" -v c="$C" 'FNR == NR { name[$1] = $2; next }
		/ returned -?[0-9]+ after [0-9]+ usecs/ {
			sub(/^\[[^]]*\] /, ""); d = $2; sub(/:$/, "", d); cb = $(NF - 5); us = $(NF - 1)
			if (d in name) d = name[d]
			dir = (cb ~ /suspend|freeze|poweroff|prepare/) ? "s" : "r"
			if (dir == "s") s[d] += us; else r[d] += us; seen[d] = 1
		}
		END { for (d in seen) printf "E2E-TIME %s %s %s %d %d\n", t, c, d, s[d], r[d] }' /tmp/names /tmp/log
	: >/tmp/log
}

transition() {
	dmesg -c >>/tmp/log
	grep -qE "$BAD" /tmp/log && result dmesg fail "between cycles: $(grep -E "$BAD" /tmp/log | head -n 1 | cut -c1-100)"
	: >/tmp/log
	case $T in
	s2idle) state=freeze ;;
	deep) echo deep >/sys/power/mem_sleep 2>/dev/null || { result transition fail "no deep sleep"; return; }; state=mem ;;
	disk-*) echo "${T#disk-}" >/sys/power/disk 2>/dev/null || { result transition fail "no ${T#disk-} mode"; return; }; state=disk ;;
	*) result transition fail "unknown transition"; return ;;
	esac
	ok=$(cat /sys/power/suspend_stats/success)
	echo "E2E-GO $T $C"
	rc=0
	echo "$state" >/sys/power/state || rc=$?
	echo "E2E-WOKE $T $C $rc"
	# A suspend that returned 0 without suspending (woken or aborted on
	# the way down) does not count: suspend_stats/success must move.
	if [ $rc -ne 0 ]; then
		result transition fail "writing $state returned $rc"
	elif [ "$state" != disk ] && [ "$(cat /sys/power/suspend_stats/success)" -le "$ok" ]; then
		result transition fail "returned without a completed suspend"
	else
		result transition pass
	fi
}

check iosm iosm
checks
for step in $(echo "$PLAN" | tr ',' ' '); do
	T=${step%:*}
	for C in $(seq 1 "${step#*:}"); do
		transition
		checks
	done
done
T=end C=0
check iosm iosm
dmesg -c >>/tmp/log
grep -qE "$BAD" /tmp/log && result dmesg fail "$(grep -E "$BAD" /tmp/log | head -n 1 | cut -c1-100)" || result dmesg pass
echo "E2E-DISKSUM $SUM"
echo "E2E-DONE"
sync
poweroff -f
