#!/usr/bin/env python3
"""Drive the `make e2e` guest under QEMU, and report.

  e2e.py run OUTDIR --kernel BZIMAGE --initrd CPIO --machine pc|microvm --plan PLAN
      Boots the guest, answers its E2E-* lines (harness/e2e-init.sh): wakes it
      from s2idle (ACPI power button, then the serial line) and S3 (QMP
      system_wakeup), restarts QEMU after hibernation so the image is
      restored, does the host half of the console, input and balloon checks.
      Writes OUTDIR/results.json and the serial logs.
  e2e.py report OUTROOT [MACHINE...]
      Puts base and series side by side (OUTROOT/<kernel>/<machine>/results.json)
      into OUTROOT/report.txt; last line "N passed, N failed" over the series
      (a check a complete run would have reported and did not is a failure).

No network: the NICs are on an emulated hub, QMP, serial and the virtio
console are unix sockets.
"""
import hashlib
import json
import os
import queue
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

MIB = 1 << 20
SPLAT = re.compile(r'WARNING:|BUG:|Oops|Kernel panic|possible circular|inconsistent lock|'
                   r'blocked for more than|general protection fault|Call Trace|dpm_run_callback|'
                   r'returned -[0-9]+ after|PM: .*[Ff]ailed')


def machine_args(machine, d):
    common = ['-accel', 'tcg,thread=single', '-m', '512', '-smp', '2',
              '-nodefaults', '-no-user-config', '-nic', 'none', '-display', 'none', '-no-reboot',
              '-chardev', f'socket,id=ser,path={d}/serial.sock,server=on,wait=on',
              '-serial', 'chardev:ser',
              '-chardev', f'socket,id=vc,path={d}/console.sock,server=on,wait=off',
              '-qmp', f'unix:{d}/qmp.sock,server=on,wait=off',
              '-drive', f'file={d}/data.img,format=raw,if=none,id=data,cache=writeback',
              '-drive', f'file={d}/swap.img,format=raw,if=none,id=swap',
              '-object', 'rng-random,id=rng,filename=/dev/urandom',
              '-netdev', 'hubport,id=n0,hubid=0', '-netdev', 'hubport,id=n1,hubid=0']
    devs = [('blk', 'drive=data,serial=e2edata'), ('blk', 'drive=swap,serial=e2eswap'),
            ('net', 'netdev=n0,mac=52:54:00:e2:e0:01'), ('net', 'netdev=n1,mac=52:54:00:e2:e0:02'),
            ('rng', 'rng=rng'), ('serial', 'id=vser'), ('balloon', 'id=balloon'),
            ('keyboard', 'id=kbd')]
    if machine == 'pc':
        m = ['-M', 'pc', '-global', 'PIIX4_PM.disable_s3=0', '-global', 'PIIX4_PM.disable_s4=0']
        suffix = '-pci'
        extra = ''
    else:
        m = ['-M', 'microvm,acpi=on,rtc=on,isa-serial=on,pcie=off',
             '-global', 'virtio-mmio.force-legacy=false']
        suffix = '-device'
        khz = 0
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('cpu MHz'):
                    khz = int(float(line.split(':')[1]) * 1000)
                    break
        extra = f' tsc_early_khz={khz}' if khz else ''
    args = m + common
    for kind, props in devs:
        args += ['-device', f'virtio-{kind}{suffix},{props}']
    args += ['-device', 'virtconsole,chardev=vc,bus=vser.0']
    return args, extra


class Qemu:
    def __init__(self, argv, d, n):
        self.d = d
        for s in ('serial', 'console', 'qmp'):
            try:
                os.unlink(f'{d}/{s}.sock')
            except FileNotFoundError:
                pass
        self.log = open(f'{d}/serial-{n}.log', 'w')
        self.qlog = f'{d}/qemu-{n}.log'
        self.proc = subprocess.Popen(argv, stdout=open(self.qlog, 'w'),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.lines = queue.Queue()
        self.tail = []
        self.ser = self._connect('serial')
        threading.Thread(target=self._reader, daemon=True).start()
        self.qmp = self._connect('qmp')
        self.qmp.settimeout(60)
        self.qmpf = self.qmp.makefile('rw')
        self.qmpf.readline()
        self.cmd('qmp_capabilities')
        self.con = self._connect('console')
        self.con.settimeout(0.2)
        self.conbuf = b''

    def _connect(self, what):
        path = f'{self.d}/{what}.sock'
        for _ in range(300):
            if self.proc.poll() is not None:
                with open(self.qlog) as f:
                    raise RuntimeError(f'QEMU exited at start: {f.read()[-400:].strip()}')
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                return s
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f'no {what} socket from QEMU after 30 s')

    def _reader(self):
        buf = b''
        while True:
            try:
                data = self.ser.recv(4096)
            except OSError:
                data = b''
            if not data:
                if buf:
                    line = buf.decode('utf-8', 'replace')
                    self.log.write(line + '\n')
                    self.tail = (self.tail + [line])[-15:]
                    self.lines.put(line)
                self.lines.put(None)
                return
            buf += data
            while b'\n' in buf:
                raw, buf = buf.split(b'\n', 1)
                line = raw.decode('utf-8', 'replace').rstrip('\r')
                self.log.write(line + '\n')
                self.log.flush()
                self.tail = (self.tail + [line])[-15:]
                self.lines.put(line)

    def cmd(self, name, **args):
        self.qmpf.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        self.qmpf.flush()
        while True:
            line = self.qmpf.readline()
            if not line:
                raise RuntimeError('QMP connection closed')
            r = json.loads(line)
            if 'return' in r or 'error' in r:
                return r

    def next_line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return ''

    def write_serial(self, text):
        self.ser.sendall(text.encode())

    def console_line(self, want, timeout):
        end = time.time() + timeout
        while time.time() < end:
            while b'\n' in self.conbuf:
                raw, self.conbuf = self.conbuf.split(b'\n', 1)
                if raw.decode('utf-8', 'replace').strip() == want:
                    return True
            try:
                data = self.con.recv(4096)
                if not data:
                    return False
                self.conbuf += data
            except socket.timeout:
                pass
        return False

    def exited(self, timeout=0):
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def describe(self):
        """Why QEMU is gone, if it is: exit status and its own last words."""
        if self.proc.poll() is None:
            return 'QEMU still running'
        with open(self.qlog) as f:
            words = ' '.join(f.read().split())[-300:]
        return f'QEMU exited with status {self.proc.returncode}' + (f' ({words})' if words else '')

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Run:
    def __init__(self, out, kernel, initrd, machine, plan):
        self.out, self.machine, self.plan = out, machine, plan
        self.results, self.times, self.n = [], [], 0
        self.where = ('boot', '0')
        args, extra = machine_args(machine, out)
        append = ('console=ttyS0,115200 no_console_suspend loglevel=5 panic=1 '
                  f'e2e.plan={plan}{extra}' + (' e2e.debug' if os.environ.get('E2E_DEBUG') else ''))
        self.argv = ['qemu-system-x86_64', '-kernel', kernel, '-initrd', initrd,
                     '-append', append] + args

    def result(self, dev, status, why=''):
        t, c = self.where
        self.results.append([t, int(c), dev, status, why])
        if status == 'fail':
            print(f'   {self.machine}: {t} cycle {c}: {dev} FAILED {why}', flush=True)

    def start(self):
        self.n += 1
        self.q = Qemu(self.argv, self.out, self.n)

    def wait_for(self, marker, timeout):
        """Consume lines until one carries marker; '' on timeout, None on exit."""
        end = time.time() + timeout
        while time.time() < end:
            line = self.q.next_line(min(1.0, max(0.05, end - time.time())))
            if line is None:
                return None
            if line:
                self.scan(line)
                if marker in line:
                    return line[line.index(marker):]
        return ''

    def scan(self, line):
        if SPLAT.search(line) and 'E2E-' not in line:
            self.result('kernel-log', 'fail', line.strip()[:120])

    def last_lines(self):
        return f'{self.q.describe()}; last serial lines: ' + ' | '.join(self.q.tail[-6:])

    def wake(self, t, c):
        if t == 's2idle':
            # Let it get down first: a button pressed on the way down aborts
            # the suspend (the guest reports that as a failed transition).
            line = self.wait_for('E2E-WOKE', 3)
            if line or line is None:
                return line
            for attempt in range(3):
                self.q.cmd('system_powerdown')
                self.q.write_serial('\n')
                line = self.wait_for('E2E-WOKE', 8)
                if line:
                    if attempt:
                        self.result('wake', 'pass', f'woke on wake attempt {attempt + 1}')
                    return line
                if line is None:
                    return None
            return ''
        if t == 'deep':
            end = time.time() + 30
            while time.time() < end:
                if self.q.cmd('query-status')['return']['status'] == 'suspended':
                    break
                line = self.wait_for('E2E-WOKE', 0.3)
                if line or line is None:
                    return line  # the suspend itself failed and returned
            else:
                return ''
            for attempt in range(2):
                self.q.cmd('system_wakeup')
                line = self.wait_for('E2E-WOKE', 20)
                if line or line is None:
                    if line and attempt:
                        self.result('wake', 'pass', 'QEMU wake retried once')
                    return line
            return ''
        # hibernation: QEMU exits after the image is written; a new QEMU
        # restores it (the guest's /init writes the swap device to
        # /sys/power/resume first thing).
        line = self.wait_for('E2E-WOKE', 300)
        if line:
            return line  # hibernation failed, the guest went on
        if not self.q.exited(30):
            return ''
        self.q.kill()
        self.start()
        line = self.wait_for('E2E-', 240)
        while line and not line.startswith(('E2E-WOKE', 'E2E-BOOT')):
            line = self.wait_for('E2E-', 240)
        if line and line.startswith('E2E-BOOT'):
            self.result('restore', 'fail', 'fresh boot: the image was not restored')
            return None
        return line

    def host_checks(self):
        t, c = self.where
        ok = self.q.console_line(f'ping-{t}-{c}', 10)
        if ok:
            self.q.con.sendall(f'pong-{t}-{c}\n'.encode())
        else:
            self.result('console-host', 'fail', 'no ping from the guest on the virtio console')
        why = ''
        for size in (384, 512):
            self.q.cmd('balloon', value=size * MIB)
            end = time.time() + 30
            while time.time() < end:
                r = self.q.cmd('query-balloon')
                if r.get('return', {}).get('actual') == size * MIB:
                    break
                time.sleep(0.2)
            else:
                why = f'balloon did not reach {size} MiB (at {r.get("return", r)})'
                break
        self.result('balloon', 'fail' if why else 'pass', why)
        # The key goes last: the guest's evdev reader has long been open.
        for down in (True, False):
            r = self.q.cmd('input-send-event', events=[
                {'type': 'key', 'data': {'down': down, 'key': {'type': 'qcode', 'data': 'a'}}}])
            if 'error' in r:
                self.result('input-host', 'fail', r['error'].get('desc', ''))
        self.q.write_serial(f'go {t} {c}\n')

    def run(self):
        self.started = time.time()
        for name, size in (('data', 64), ('swap', 512)):
            with open(f'{self.out}/{name}.img', 'wb') as f:
                f.truncate(size * MIB)
        try:
            self.session()
        except Exception as e:  # report it as the run's failure, never hang or vanish
            self.result('run', 'fail', f'{type(e).__name__}: {e}')
        finally:
            if hasattr(self, 'q'):
                self.q.kill()
            for name in ('data', 'swap'):
                if os.path.exists(f'{self.out}/{name}.img'):
                    os.unlink(f'{self.out}/{name}.img')
        res = {'machine': self.machine, 'plan': self.plan, 'seconds': round(time.time() - self.started),
               'qemu_runs': self.n, 'results': self.results, 'times': self.times}
        with open(f'{self.out}/results.json', 'w') as f:
            json.dump(res, f, indent=1)
        bad = sum(1 for r in self.results if r[3] == 'fail')
        print(f'   {self.machine}: {len(self.results) - bad} checks passed, {bad} failed, '
              f'{self.n} QEMU runs, {res["seconds"]} s', flush=True)

    def session(self):
        self.start()
        disksum = None
        while True:
            line = self.wait_for('E2E-', 300)
            if not line:
                why = 'the guest stopped' if line is None else 'no progress for 300 s'
                self.result('run', 'fail', f'{why}; {self.last_lines()}')
                break
            f = line.split()
            kind = f[0]
            if kind == 'E2E-BOOT':
                if self.n > 1 or self.results:
                    self.result('run', 'fail', 'the guest rebooted')
                    break
                continue
            if kind in ('E2E-GO', 'E2E-HOST'):
                self.where = (f[1], f[2])
            if kind == 'E2E-GO':
                woke = self.wake(f[1], f[2])
                if not woke:
                    what = 'wake' if f[1] in ('s2idle', 'deep') else 'restore'
                    self.result(what, 'fail', f'no {what} from {f[1]} in cycle {f[2]}; '
                                f'{self.last_lines()}')
                    break
            elif kind == 'E2E-HOST':
                self.host_checks()
            elif kind == 'E2E-RESULT' and len(f) >= 5 and f[2].isdigit() and f[4] in ('pass', 'fail'):
                self.results.append([f[1], int(f[2]), f[3], f[4], ' '.join(f[5:])])
                if f[4] == 'fail':
                    print(f'   {self.machine}: {f[1]} cycle {f[2]}: {f[3]} FAILED {" ".join(f[5:])}', flush=True)
            elif kind == 'E2E-TIME' and len(f) == 6 and all(x.isdigit() for x in f[2:3] + f[4:]):
                self.times.append([f[1], int(f[2]), f[3], int(f[4]), int(f[5])])
            elif kind == 'E2E-DISKSUM':
                disksum = f[1]
            elif kind == 'E2E-DONE':
                self.where = ('end', '0')
                # The power-off path is checked too: read to the end.
                while self.wait_for('E2E-', 60) not in (None, ''):
                    pass
                if not self.q.exited(10):
                    self.result('run', 'fail', 'the guest did not power off')
                break
            elif kind not in ('E2E-BOOT', 'E2E-WOKE'):
                # The kernel's console output can cut into a line: a result
                # lost that way is a failure, not a silent pass.
                self.result('serial', 'fail', f'garbled report line: {line[:100]}')
        self.q.kill()
        if disksum:
            with open(f'{self.out}/data.img', 'rb') as f:
                ok = hashlib.md5(f.read(4 * MIB)).hexdigest() == disksum
            self.result('disk-host', 'pass' if ok else 'fail', '' if ok else 'image differs after exit')


def load(root, kernel):
    out = {}
    d = os.path.join(root, kernel)
    for m in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        p = os.path.join(d, m, 'results.json')
        if os.path.exists(p):
            with open(p) as f:
                out[m] = json.load(f)
    return out


# What every cycle must report (harness/e2e-init.sh); a row that is not
# there counts as a failure, so a run that stopped early cannot look green.
CHECKS = ['disk', 'net', 'rng', 'vcnl4040', 'vcnl4200', 'vcnl4035', 'tmpfs', 'console', 'input',
          'balloon', 'dmesg']


def expected(plan):
    """(transition, check) -> rows a complete run reports."""
    want = {('boot', c): 1 for c in CHECKS + ['iosm']}
    want.update({('end', c): 1 for c in ('iosm', 'dmesg', 'disk-host')})
    for step in plan.split(','):
        t, n = step.rsplit(':', 1)
        want.update({(t, c): int(n) for c in CHECKS + ['transition']})
    return want


def summary(res):
    """(transition, check) -> [passes, fails, first failure or note]."""
    s = {}
    for t, c, dev, status, why in res['results']:
        e = s.setdefault((t, dev), [0, 0, ''])
        if status == 'fail':
            e[1] += 1
            e[2] = e[2] if e[1] > 1 else f'cycle {c}: {why}'
        else:
            e[0] += 1
            if why and not e[1]:
                e[2] = e[2] or f'cycle {c}: {why}'
    if res.get('plan'):
        for k, n in expected(res['plan']).items():
            e = s.setdefault(k, [0, 0, ''])
            if e[0] + e[1] < n:
                missing = n - e[0] - e[1]
                e[1] += missing
                e[2] = e[2] if e[1] > missing else f'{missing} of {n} never reported'
    return s


def medians(res):
    """(transition, device) -> (median suspend us, median resume us, cycles)."""
    acc = {}
    for t, c, dev, s, r in res['times']:
        acc.setdefault((t, dev), []).append((s, r))
    return {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v), len(v))
            for k, v in acc.items()}


def kunit_cases(group):
    yield from group.get('test_cases', [])
    for sub in group.get('sub_groups', []):
        yield from kunit_cases(sub)


def report(root, machines):
    base, series = load(root, 'base'), load(root, 'series')
    lines, npass, nfail = [], 0, 0
    interesting = re.compile(r'virtio|vcnl')
    for m in sorted(set(base) | set(series) | set(machines)):
        b, s = base.get(m), series.get(m)
        if not b and not s:
            lines += [f'== {m}: no results from base or series', '']
            nfail += 1
            continue
        sb = summary(b) if b else {}
        ss = summary(s) if s else {}
        lines.append(f'== {m}: plan {(s or b)["plan"]}; wall time base {b["seconds"] if b else "-"} s, '
                     f'series {s["seconds"] if s else "-"} s')
        lines.append(f'{"transition":14} {"check":14} {"base":>10} {"series":>10}  note')

        def cell(e):
            return '-' if e is None else (f'{e[0]}/{e[0] + e[1]}' if e[1] == 0 else f'FAIL {e[1]}/{e[0] + e[1]}')
        for k in sorted(set(sb) | set(ss), key=lambda k: (k[0] != 'boot', k)):
            eb, es = sb.get(k), ss.get(k)
            note = ''
            if es and es[2]:
                note = es[2]
            elif eb and eb[2]:
                note = 'base: ' + eb[2]
            lines.append(f'{k[0]:14} {k[1]:14} {cell(eb):>10} {cell(es):>10}  {note}'.rstrip())
        if s:
            npass += sum(e[0] for e in ss.values())
            nfail += sum(e[1] for e in ss.values())
        else:
            nfail += 1
            lines.append('series: no results')
        mb, ms = (medians(b) if b else {}), (medians(s) if s else {})
        lines.append('')
        lines.append('callback times, median over cycles, us (pm_print_times; TCG, so compare ratios;')
        lines.append('hibernation: suspend = freeze callbacks, resume = restore callbacks, since what')
        lines.append('runs after the snapshot (thaw, poweroff) is not in the restored log)')
        lines.append(f'{"transition":14} {"device":22} {"suspend base":>12} {"series":>8} '
                     f'{"resume base":>12} {"series":>8}')
        for k in sorted(set(mb) | set(ms)):
            if not interesting.search(k[1]):
                continue
            vb, vs = mb.get(k), ms.get(k)
            lines.append(f'{k[0]:14} {k[1]:22} {vb[0] if vb else "-":>12} {vs[0] if vs else "-":>8} '
                         f'{vb[1] if vb else "-":>12} {vs[1] if vs else "-":>8}')
        for t in sorted({k[0] for k in ms}):
            for name, src in (('base', mb), ('series', ms)):
                cand = [(v[1], k[1]) for k, v in src.items() if k[0] == t]
                if cand:
                    us, dev = max(cand)
                    lines.append(f'slowest resume in {t} ({name}): {dev}, {us:.0f} us')
        lines.append('')
    if os.path.exists(os.path.join(root, 'kunit-x86_64.log')):
        try:
            with open(os.path.join(root, 'kunit-x86_64.json')) as f:
                st = [c['status'] for c in kunit_cases(json.load(f))]
            kp, kf = st.count('PASS'), len(st) - st.count('PASS') - st.count('SKIP')
        except (OSError, ValueError):
            kp, kf = 0, 1
        lines.append(f'KUnit suites on x86_64 under QEMU: {kp} passed, {kf} failed'
                     + ('' if kp + kf else ' (no results: see kunit-x86_64.log)'))
        npass, nfail = npass + kp, nfail + kf + (0 if kp + kf else 1)
    lines.append(f'{npass} passed, {nfail} failed')
    text = '\n'.join(lines) + '\n'
    with open(os.path.join(root, 'report.txt'), 'w') as f:
        f.write(text)
    sys.stdout.write(text)
    return nfail == 0


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == 'report':
        sys.exit(0 if report(a[1], a[2:]) else 1)
    if len(a) >= 2 and a[0] == 'run':
        opts = dict(zip(a[2::2], a[3::2]))
        out = a[1]
        os.makedirs(out, exist_ok=True)
        Run(out, opts['--kernel'], opts['--initrd'], opts['--machine'], opts['--plan']).run()
        return
    sys.exit(__doc__)


if __name__ == '__main__':
    main()
