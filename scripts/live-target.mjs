// A live Xen-on-ARM target for the extension: Debian's Xen 4.17 + a Debian dom0 kernel + a busybox initramfs,
// booted in QEMU (TCG) with the gdbstub on a free 127.0.0.1 port. From ../shared/live-xen (FEASIBILITY.md).
//
//   npm run live:target -- armhf|arm64 [--halted] [--no-wait]
//
//   --halted   start QEMU with -S (stopped at reset; the debugger decides when Xen runs)
//   --no-wait  print the port and return to waiting for Ctrl-C at once (do not wait for dom0's shell)
//   --fetch-only  install the host tools and fetch + extract the target images, then exit (no QEMU)
//
// Host tools (qemu-system-arm, gdb-multiarch, device-tree-compiler, cpio) come from apt if missing; a failing
// `apt-get update` is a warning. The target .debs are fetched with a private apt state under .live-cache/apt
// (the machine's dpkg architectures are not touched) and cached in .live-cache/<arch>/debs; the images are
// extracted once to .live-cache/<arch>/img. Prints `gdbstub 127.0.0.1:<port>` and writes
// .live-cache/<arch>/run/target.json (port, pid, symbol addresses) for the extension's attach command.
// Ctrl-C (or SIGTERM) stops QEMU by its PID and exits 0.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, runWithProgress, SetupError } from './setup-code-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, '.live-cache');
const T0 = Date.now();
/** @param {string} msg */
const phase = (msg) => process.stdout.write(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);

/** @param {string} cmd */
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * @param {string} cmd @param {string[]} args @param {{ cwd?: string, input?: Buffer }} [opts]
 * @returns {string} stdout; throws SetupError with the command's stderr tail on failure
 */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const err = String(r.stderr ?? r.error ?? '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new SetupError(`live-target: ${cmd} ${args.slice(0, 4).join(' ')} failed (exit ${r.status}): ${err}`);
  }
  return String(r.stdout);
}

/** @param {string} arch */
export function archConfig(arch) {
  if (arch === 'arm64') {
    return {
      qemu: 'qemu-system-aarch64',
      machine: ['-machine', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57'],
      kernelFlavour: 'cloud-arm64-unsigned',
    };
  }
  return {
    qemu: 'qemu-system-arm',
    machine: ['-machine', 'virt,virtualization=on,highmem=off', '-cpu', 'cortex-a15'],
    kernelFlavour: 'armmp-lpae',
  };
}

/** Host tools: installed with apt when one is missing. */
async function hostTools() {
  /** @type {[string, string][]} */
  const tools = [
    ['qemu-system-arm', 'qemu-system-arm'],
    ['gdb-multiarch', 'gdb-multiarch'],
    ['dtc', 'device-tree-compiler'],
    ['cpio', 'cpio'],
  ];
  const need = tools.filter(([bin]) => !has(bin)).map(([, pkg]) => pkg);
  if (need.length) {
    fs.mkdirSync(CACHE, { recursive: true });
    await aptInstall(['--no-install-recommends', ...need], { log: path.join(CACHE, 'apt.log') });
  }
  const qv = run('qemu-system-arm', ['--version']).split('\n')[0]?.split(' ')[3] ?? '?';
  const gv = run('gdb-multiarch', ['--version']).split('\n')[0] ?? '?';
  phase(`host tools ready (qemu ${qv}, ${gv})${need.length ? `: installed ${need.join(' ')}` : ''}`);
}

/** apt options of the private state: the target architecture's indexes without `dpkg --add-architecture`. */
function aptOpts(arch) {
  const st = path.join(CACHE, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial']) fs.mkdirSync(path.join(st, d), { recursive: true });
  return [
    '-o',
    `Dir::State::Lists=${path.join(st, 'lists')}`,
    '-o',
    `Dir::Cache=${path.join(st, 'cache')}`,
    '-o',
    `APT::Architectures::=${arch}`,
    '-o',
    'Debug::NoLocking=1',
  ];
}

/** The target images, downloaded once and extracted once. */
async function images(arch) {
  const dir = path.join(CACHE, arch);
  const img = path.join(dir, 'img');
  const want = ['xen', 'xen-syms', 'xen.map', 'vmlinuz', 'busybox'];
  if (want.every((f) => fs.existsSync(path.join(img, f)))) {
    phase(`images cached in ${path.relative(ROOT, img)}`);
    return img;
  }
  const debs = path.join(dir, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  fs.mkdirSync(img, { recursive: true });
  const O = aptOpts(arch);
  const cfg = archConfig(arch);
  const log = path.join(dir, 'apt-download.log');
  const have = fs.readdirSync(debs).filter((f) => f.endsWith('.deb'));
  if (have.length < 4) {
    const up = await runWithProgress(
      'apt-get update (private state, ' + arch + ')',
      'apt-get',
      [...O, 'update', '-qq'],
      {
        log,
      },
    );
    if (up !== 0) process.stdout.write(`warning: apt-get update exited ${up} (see ${path.relative(ROOT, log)})\n`);
    /** @param {RegExp} re */
    const newest = (re) => {
      const names = run('apt-cache', [...O, 'search', '--names-only', re.source])
        .split('\n')
        .map((l) => l.split(' ')[0] ?? '')
        .filter((n) => re.test(n));
      names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const last = names.at(-1);
      if (!last) throw new SetupError(`live-target: no package matching ${re.source} for ${arch} in the apt indexes`);
      return last;
    };
    const kpkg = newest(new RegExp(`^linux-image-[0-9.]+-[0-9]+-${cfg.kernelFlavour}$`));
    const xpkg = newest(new RegExp(`^xen-hypervisor-[0-9.]+-${arch}$`));
    const pkgs = [xpkg, `${xpkg}-dbg`, kpkg, 'busybox-static'].map((p) => `${p}:${arch}`);
    const code = await runWithProgress(`downloading ${pkgs.join(' ')}`, 'apt-get', [...O, 'download', '-qq', ...pkgs], {
      log,
      cwd: debs,
    });
    if (code !== 0)
      throw new SetupError(`live-target: apt-get download exited ${code} (log: ${path.relative(ROOT, log)})`);
  }
  const x = path.join(dir, 'x');
  fs.rmSync(x, { recursive: true, force: true });
  fs.mkdirSync(x);
  for (const deb of fs.readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    // only what is booted or read: skipping the kernel's modules saves most of the extraction time
    const tar = spawnSync('dpkg-deb', ['--fsys-tarfile', path.join(debs, deb)], { maxBuffer: 1 << 30 });
    if (tar.status !== 0) throw new SetupError(`live-target: dpkg-deb could not read ${deb}`);
    spawnSync('tar', ['-x', '-C', x, '--wildcards', './boot/*', './usr/lib/debug/boot/*', './bin/busybox'], {
      input: tar.stdout,
    });
  }
  /** @param {string} sub @param {RegExp} re */
  const pick = (sub, re) => {
    const d = path.join(x, sub);
    const f = fs.existsSync(d) ? fs.readdirSync(d).find((n) => re.test(n)) : undefined;
    if (!f) throw new SetupError(`live-target: the .debs in ${path.relative(ROOT, debs)} have no ${sub}/${re.source}`);
    return path.join(d, f);
  };
  fs.copyFileSync(pick('boot', new RegExp(`^xen-[0-9.]+-${arch}$`)), path.join(img, 'xen'));
  fs.copyFileSync(pick('usr/lib/debug/boot', new RegExp(`^xen-syms-[0-9.]+-${arch}$`)), path.join(img, 'xen-syms'));
  fs.copyFileSync(
    pick('usr/lib/debug/boot', new RegExp(`^xen-syms-[0-9.]+-${arch}\\.map$`)),
    path.join(img, 'xen.map'),
  );
  fs.copyFileSync(pick('boot', /^vmlinuz-/), path.join(img, 'vmlinuz'));
  fs.copyFileSync(pick('bin', /^busybox$/), path.join(img, 'busybox'));
  fs.rmSync(x, { recursive: true, force: true });
  const mb = fs.readdirSync(debs).reduce((s, f) => s + fs.statSync(path.join(debs, f)).size, 0) / 1e6;
  phase(`downloaded and extracted Xen, its symbols, the dom0 kernel and busybox (${mb.toFixed(0)} MB of .deb)`);
  return img;
}

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "=== DOM0 USERSPACE UP: $(uname -r) $(cat /sys/hypervisor/type 2>/dev/null) uptime=$(cut -d' ' -f1 /proc/uptime)s ==="
while true; do setsid cttyhack sh; done
`;

/** dom0's initramfs: a static busybox and an /init that prints a marker and runs a shell on hvc0. */
function initramfs(img) {
  const out = path.join(img, 'initrd.cpio.gz');
  if (fs.existsSync(out)) return out;
  const r = fs.mkdtempSync(path.join(img, 'root-'));
  for (const d of ['bin', 'proc', 'sys', 'dev']) fs.mkdirSync(path.join(r, d));
  fs.copyFileSync(path.join(img, 'busybox'), path.join(r, 'bin', 'busybox'));
  fs.chmodSync(path.join(r, 'bin', 'busybox'), 0o755);
  fs.writeFileSync(path.join(r, 'init'), INIT, { mode: 0o755 });
  const list = run('find', ['.'], { cwd: r });
  const cpio = spawnSync('cpio', ['-o', '-H', 'newc'], { cwd: r, input: list, maxBuffer: 64 << 20 });
  if (cpio.status !== 0) throw new SetupError('live-target: cpio failed building the initramfs');
  const gz = spawnSync('gzip', ['-9'], { input: cpio.stdout, maxBuffer: 64 << 20 });
  fs.writeFileSync(out, gz.stdout);
  fs.rmSync(r, { recursive: true, force: true });
  return out;
}

const KADDR = 0x49000000; // clear of Xen (~0x40200000) and of QEMU's DTB (0x48000000 for a 64-bit image)
const IADDR = 0x4c000000;

/** QEMU's own device tree for this machine plus Xen's /chosen boot-module nodes (docs/misc/arm/device-tree/booting.txt). */
function deviceTree(arch, img, runDir, common) {
  const cfg = archConfig(arch);
  const virt = path.join(runDir, 'virt.dtb');
  run(cfg.qemu, [...common, '-machine', `dumpdtb=${virt}`]);
  const dts = run('dtc', ['-q', '-I', 'dtb', '-O', 'dts', virt]);
  const ksz = fs.statSync(path.join(img, 'vmlinuz')).size;
  const isz = fs.statSync(path.join(img, 'initrd.cpio.gz')).size;
  const h = (/** @type {number} */ n) => `0x${n.toString(16)}`;
  const chosen = `
/ { chosen {
    #address-cells = <2>; #size-cells = <2>;
    xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M dom0_max_vcpus=1 bootscrub=0";
    module@${KADDR.toString(16)} { compatible = "multiboot,kernel", "multiboot,module";
      reg = <0x0 ${h(KADDR)} 0x0 ${h(ksz)}>;
      bootargs = "console=hvc0 earlycon=xen rdinit=/init"; };
    module@${IADDR.toString(16)} { compatible = "multiboot,ramdisk", "multiboot,module";
      reg = <0x0 ${h(IADDR)} 0x0 ${h(isz)}>; };
}; };
`;
  fs.writeFileSync(path.join(runDir, 'xen.dts'), dts + chosen);
  const dtb = path.join(runDir, 'xen.dtb');
  run('dtc', ['-q', '-I', 'dts', '-O', 'dtb', path.join(runDir, 'xen.dts'), '-o', dtb]);
  return dtb;
}

/** A free loopback port (the OS picks it; QEMU binds it right after). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Symbol addresses from Xen's System.map-like file (`0x00267900 t leave_hypervisor_to_guest`). */
export function symbols(mapText, names) {
  /** @type {Record<string, string>} */
  const out = {};
  const want = new Set(names);
  for (const line of mapText.split('\n')) {
    const f = line.trim().split(/\s+/);
    const name = (f[2] ?? '').replace(/^.*#/, ''); // static symbols are `file.c#name`
    if (f.length >= 3 && want.has(name) && !out[name]) out[name] = `0x${(f[0] ?? '').replace(/^0x/, '')}`;
  }
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const arch = args.find((a) => !a.startsWith('-')) ?? 'armhf';
  if (arch !== 'armhf' && arch !== 'arm64') throw new SetupError(`live-target: arch "${arch}" is not armhf or arm64`);
  const halted = args.includes('--halted');
  const noWait = args.includes('--no-wait');
  await hostTools();
  const img = await images(arch);
  if (args.includes('--fetch-only')) {
    phase(`target images ready in ${path.relative(ROOT, img)}`);
    return;
  }
  const initrd = initramfs(img);
  const runDir = path.join(CACHE, arch, 'run');
  fs.mkdirSync(runDir, { recursive: true });
  const cfg = archConfig(arch);
  const common = [...cfg.machine, '-m', '2G', '-smp', '2', '-nic', 'none', '-display', 'none'];
  const dtb = deviceTree(arch, img, runDir, common);
  phase('initramfs and device tree built');

  const port = await freePort();
  const consoleLog = path.join(runDir, 'console.log');
  const sock = path.join(runDir, 'serial.sock');
  for (const f of [consoleLog, sock]) fs.rmSync(f, { force: true });
  const qargs = [
    ...common,
    '-dtb',
    dtb,
    '-kernel',
    path.join(img, 'xen'),
    '-device',
    `loader,file=${path.join(img, 'vmlinuz')},addr=0x${KADDR.toString(16)},force-raw=on`,
    '-device',
    `loader,file=${initrd},addr=0x${IADDR.toString(16)},force-raw=on`,
    '-chardev',
    `socket,id=s0,path=${sock},server=on,wait=off,logfile=${consoleLog}`,
    '-serial',
    'chardev:s0',
    '-gdb',
    `tcp:127.0.0.1:${port}`,
    ...(halted ? ['-S'] : []),
  ];
  const qemu = spawn(cfg.qemu, qargs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let qemuErr = '';
  qemu.stderr.on('data', (d) => (qemuErr += String(d)));
  const pid = qemu.pid ?? 0;
  const targetJson = path.join(runDir, 'target.json');
  const map = fs.readFileSync(path.join(img, 'xen.map'), 'utf8');
  const syms = symbols(map, [
    'leave_hypervisor_to_guest',
    'xen_second',
    'xen_first',
    'xen_pgtable',
    'cpu0_pgtable',
    'boot_pgtable',
    'phys_offset',
  ]);
  fs.writeFileSync(
    targetJson,
    JSON.stringify(
      {
        arch,
        host: '127.0.0.1',
        port,
        pid,
        halted,
        xenSyms: path.join(img, 'xen-syms'),
        xenMap: path.join(img, 'xen.map'),
        symbols: syms,
        console: consoleLog,
        serial: sock,
      },
      null,
      2,
    ) + '\n',
  );
  let stopping = false;
  const stop = (/** @type {string} */ why) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${why}: stopping QEMU (pid ${pid})\n`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('SIGINT', () => stop('Ctrl-C'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const exited = new Promise((resolve) => qemu.on('exit', (code, sig) => resolve(code ?? sig)));
  void exited.then((code) => {
    fs.rmSync(targetJson, { force: true });
    if (!stopping) {
      process.stderr.write(
        `live-target: QEMU exited (${code}) on its own: ${qemuErr.trim().split('\n').slice(-2).join(' | ')}\n`,
      );
      process.exit(1);
    }
    phase('QEMU stopped');
    process.exit(0);
  });
  phase(`QEMU started (pid ${pid}${halted ? ', halted at reset' : ''})`);
  process.stdout.write(`gdbstub 127.0.0.1:${port}\n`);
  process.stdout.write(
    `target ${path.relative(ROOT, targetJson)} (leave_hypervisor_to_guest ${syms.leave_hypervisor_to_guest ?? '?'})\n`,
  );
  if (noWait || halted) {
    process.stdout.write('Ctrl-C stops it.\n');
    return;
  }
  /** @param {string} marker @param {number} seconds */
  const waitFor = async (marker, seconds) => {
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end && !stopping) {
      try {
        if (fs.readFileSync(consoleLog, 'latin1').includes(marker)) return true;
      } catch {
        /* not written yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };
  if (await waitFor('Xen version', 120)) phase('Xen banner on the console');
  else if (!stopping) process.stdout.write('warning: no Xen banner after 120 s (see the console log)\n');
  if (await waitFor('DOM0 USERSPACE UP', 600)) {
    const m = /DOM0 USERSPACE UP: ([^=]*)/.exec(fs.readFileSync(consoleLog, 'latin1'));
    phase(`dom0 userspace up (${(m?.[1] ?? '').trim()})`);
  } else if (!stopping) process.stdout.write('warning: dom0 did not reach its shell in 600 s (see the console log)\n');
  if (!stopping)
    process.stdout.write(
      `ready: gdbstub 127.0.0.1:${port}; console log ${path.relative(ROOT, consoleLog)}; Ctrl-C stops it.\n`,
    );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof SetupError ? e.message : (e?.stack ?? e)}\n`);
    process.exit(1);
  });
}
