/**
 * Issue 13 items 1-7, the "after" figures of bench/RESULTS.md ("Issue 13: hostile inputs,
 * before/after"), measured again:
 *
 *   npm run build && npx esbuild bench/issue13.ts --bundle --platform=node --format=cjs \
 *     --outfile=dist/issue13.js --log-level=warning && node dist/issue13.js
 *
 * CLI rows run `node dist/cli.js …` under `/usr/bin/time -v` (wall time, peak RSS); in-process
 * rows (the view's model, patch steps) run here, each in a child process of its own under
 * `/usr/bin/time -v`. Inputs come from the fuzz's generators (scripts/fuzz.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expensiveMacro, loadSeeds, measureScaling, overlappingRegions, plusWithoutHunks } from '../scripts/fuzz';
import { parseScenario, readPatch } from '../src/core/index';
import { stepModel, traceScenario } from '../src/extension/scenarioTrace';
import { isPatchFile, patchFindingLines } from '../src/extension/patchText';
import { readWorkspaceFile, resolveSettingPath } from '../src/extension/workspaceFile';
import { limitRegions, type MapRegion } from '../src/webview/protocol';
import { mapGeometry } from '../src/webview/mapGeometry';

const root = process.cwd();
const ms = (f: () => unknown): string => {
  const t0 = performance.now();
  f();
  return `${(performance.now() - t0).toFixed(0)} ms`;
};

/** `cmd args` under /usr/bin/time -v: "exit N, S s, M MiB" and the first stderr line */
function timed(args: string[], all = false): string {
  const r = spawnSync('/usr/bin/time', ['-v', ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const err = r.stderr ?? '';
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const secs = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1]);
  const first = err.split('\n').find((l) => l && !/^\s|^Command exited/.test(l)) ?? '';
  const out = (r.stdout ?? '').trim().split('\n');
  return `exit ${r.status ?? 'signal'}, ${secs.toFixed(2)} s, ${Math.round(kb / 1024)} MiB${first ? ` · ${first}` : ''}${all ? `\n    ${out.join('\n    ')}` : out[0] ? ` · stdout ${out.length} line(s), last: ${out.at(-1)!.trim().slice(0, 200)}` : ''}`;
}

/** Scenario view: 8 GiB guest, 99,000 writes over `n` steps (TLB to 4,096), trace + a model at every step */
function item4(n: number): string {
  const per = Math.ceil(99_000 / (n - 2));
  const steps: unknown[] = [
    { op: 'schedule', domain: 'A', cpu: 0 },
    { op: 'logdirty-start', domain: 'A', cpu: 0 },
  ];
  let k = 0;
  for (let s = 0; s < n - 2; s++) {
    const gpas: number[] = [];
    for (let j = 0; j < per && k < 99_000; j++, k++)
      gpas.push(0x80000000 + (k % 4096) * 0x200000 + (Math.floor(k / 4096) % 512) * 4096);
    if (!gpas.length) break;
    steps.push({ op: 'write', domain: 'A', gpas });
  }
  const sc = parseScenario({ cpus: 2, domains: [{ name: 'A', ramSize: '8G' }], steps }, 'g.json');
  return ms(() => {
    const t = traceScenario(sc, 'g.json');
    for (let p = -1; p < t.count; p++) stepModel(t, p);
  });
}

function item6(): string[] {
  const text = plusWithoutHunks(976 * 1024);
  const head = '--- a/xen/include/asm-arm/config.h\n+++ b/xen/include/asm-arm/config.h\n';
  let t = head;
  for (let i = 0; i < 4000; i++)
    t += `@@ -${i * 3 + 1000},1 +${i * 3 + 1000},1 @@\n-#define A${i} 1\n+#define A${i} 2\n`;
  const info = readPatch(t, 'x.patch');
  const out = [
    `detection, ${text.length} B of +++ lines without a hunk: ${ms(() => isPatchFile('x.txt', text))}`,
    `placing ${info.findings.length} findings: ${ms(() => {
      const lineOf = patchFindingLines(t.split('\n'), info);
      for (const f of info.findings) lineOf(f);
    })}`,
  ];
  const seeds = loadSeeds(root);
  measureScaling(seeds, [2 ** 20], 'patch', (p) => out.push(`patch/${p.shape} ${p.bytes} B: ${p.ms.toFixed(0)} ms`));
  measureScaling(seeds, [2 ** 20], 'header', (p) => {
    if (p.shape.startsWith('_ADDR') || p.shape.startsWith('expensive'))
      out.push(`header/${p.shape} ${p.bytes} B: ${p.ms.toFixed(0)} ms`);
  });
  return out;
}

async function item1(): Promise<string[]> {
  const base = mkdtempSync(join(tmpdir(), 'xenlens-i13-'));
  const ws = join(base, 'ws');
  mkdirSync(ws);
  execFileSync('mkfifo', [join(ws, 'fifo.h')]);
  symlinkSync('/dev/zero', join(ws, 'zero.h'));
  writeFileSync(join(ws, 'big.h'), Buffer.alloc(5 * 2 ** 20, 0x20));
  const out: string[] = [];
  try {
    for (const v of ['fifo.h', '/dev/zero', 'zero.h', 'big.h', '/etc/passwd', '../../etc/passwd']) {
      const t0 = performance.now();
      let m = 'read';
      try {
        const p = resolveSettingPath(v, [ws], 'xenMemory.layoutSource');
        await readWorkspaceFile(p, { folders: [ws], maxBytes: 4 * 2 ** 20, label: 'xenMemory.layoutSource' });
      } catch (e) {
        m = (e as Error).message;
      }
      out.push(`${v}: ${(performance.now() - t0).toFixed(0)} ms: ${m}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return out;
}

function item7(): string[] {
  const R = (name: string, start: number, end: number): MapRegion => ({
    name,
    start,
    end,
    description: '',
    startMacro: null,
    where: null,
  });
  const many = Array.from({ length: 300 }, (_, i) => R(`R${i}`, i * 0x100000, (i + 1) * 0x100000));
  const g = mapGeometry({
    regions: [R('XEN', 0x200000, 0x400000), R('BIG', 0x80000000, 0x2_0000_0000)],
    vlpt: { start: 0x08000000, end: 0x10000000 },
    width: 400,
    scale: 'readable',
  });
  const sc = parseScenario(
    {
      name: 'N'.repeat(100),
      domains: [{ name: 'A', ramSize: '16M' }],
      steps: [{ op: 'schedule', domain: 'A', cpu: 0 }],
    },
    'n.json',
  );
  const m = stepModel(traceScenario(sc, 'n.json'), 0);
  return [
    `300 regions: ${limitRegions(many).notice}`,
    `a region ending at 0x200000000: drawn, top 0x${g.top.toString(16)}, ${g.rows.filter((r) => r.region === 1).length} row(s) for it`,
    `a 100-character scenario name: shown as ${m.scenario.length} characters ending "${m.scenario.slice(-1)}", tooltip ${m.scenarioTitle.length}`,
  ];
}

async function main(): Promise<void> {
  const sub = process.argv[2];
  if (sub === 'item4') return console.log(item4(Number(process.argv[3])));
  if (sub === 'item6') return console.log(item6().join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'xenlens-i13in-'));
  try {
    const f = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const overlap = f('overlap133k.h', overlappingRegions(133 * 1024));
    const macro = f('expmacro29k.h', expensiveMacro('#define R{i}_VIRT_START A14\n', 29 * 1024));
    const ifs = f('expif16k.h', expensiveMacro('#if A14\n#endif\n', 16 * 1024) + '#define X_VIRT_START 0x1000\n');
    const huge = f(
      'huge.json',
      '{"domains":[{"name":"A","ramSize":"960G","ramBase":"0x0"},{"name":"B","ramSize":"200G","ramBase":"0x4000000000"},{"name":"C","ramSize":"512G","ramBase":"0x8000000000"}],"steps":[]}',
    );
    const cli = join(root, 'dist/cli.js');
    const self = process.argv[1]!;
    console.log('item 1 (xenMemory.layoutSource)');
    for (const l of await item1()) console.log(`  ${l}`);
    console.log('item 2');
    console.log(`  29 KB, regions naming an expensive macro: ${timed(['node', cli, 'layout', '--config', macro])}`);
    console.log(`  16 KB of #if naming it: ${timed(['node', cli, 'layout', '--config', ifs])}`);
    console.log('item 3');
    console.log(`  133 KB of overlapping regions, xenlens lint: ${timed(['node', cli, 'lint', overlap])}`);
    console.log('item 4 (view model, 8 GiB guest, 99,000 writes)');
    for (const n of [300, 1000]) console.log(`  ${n} steps: ${timed(['node', self, 'item4', String(n)])}`);
    console.log('item 5');
    console.log(
      `  prepare 960 GiB on 9a80d50: ${timed(['node', cli, 'prepare', '--tree', '9a80d50', '--ram-size', '960G'])}`,
    );
    console.log(`  prepare 960 GiB on ac6e1ae: ${timed(['node', cli, 'prepare', '--ram-size', '960G'])}`);
    console.log(`  scenario of 960 + 200 + 512 GiB: ${timed(['node', cli, 'trace', '--scenario', huge])}`);
    console.log('item 6');
    console.log(`  ${timed(['node', self, 'item6'], true)}`);
    console.log('item 7');
    for (const l of item7()) console.log(`  ${l}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
