// The Scenario view's step/back state machine and per-step model. Expectations worked out by hand
// from the two-domains-two-pcpus steps (builtins.ts) and the reference doc §8 (512 MiB at 2 GiB →
// xen_second[66]).
import { describe, expect, it } from 'vitest';
import { BUILTINS, builtinScenario, parseScenario, runScenario, TraceEngine } from '../../../src/core/index';
import {
  nextPosition,
  snapshotAt,
  stepModel,
  traceScenario,
  GRID_CAP,
  LIST_CAP,
} from '../../../src/extension/scenarioTrace';
import { isStepModel } from '../../../src/webview/scenarioProtocol';

describe('nextPosition: a debugger-like state machine over the steps that ran', () => {
  const n = 7;
  it('forward and back move one step and stop at the ends (-1 = before the first step)', () => {
    expect(nextPosition(-1, n, 'forward', [])).toBe(0);
    expect(nextPosition(5, n, 'forward', [])).toBe(6);
    expect(nextPosition(6, n, 'forward', [])).toBe(6);
    expect(nextPosition(0, n, 'back', [])).toBe(-1);
    expect(nextPosition(-1, n, 'back', [])).toBe(-1);
    expect(nextPosition(4, n, 'restart', [])).toBe(-1);
    expect(nextPosition(-1, n, 'end', [])).toBe(6);
  });
  it('continue runs to the next finding step, then to the last step', () => {
    expect(nextPosition(-1, n, 'continue', [4])).toBe(4);
    expect(nextPosition(4, n, 'continue', [4])).toBe(6);
    expect(nextPosition(1, n, 'continue', [5, 2])).toBe(2);
    // a finding step beyond the steps that ran (Xen halted) is not a target
    expect(nextPosition(1, 3, 'continue', [9])).toBe(2);
  });
  it('an out-of-range position is clamped first (a restored position after the file shrank)', () => {
    expect(nextPosition(40, n, 'back', [])).toBe(5);
    expect(nextPosition(40, n, 'forward', [])).toBe(6);
    expect(nextPosition(-7, n, 'forward', [])).toBe(0);
  });
  it('no step ran: every action stays at -1', () => {
    for (const a of ['back', 'forward', 'continue', 'restart', 'end'] as const)
      expect(nextPosition(-1, 0, a, [])).toBe(-1);
  });
});

describe('stepModel: what step N shows', () => {
  const t = traceScenario(builtinScenario('two-domains-two-pcpus'), 'built-in');

  it('one snapshot per step, and the result equals a plain run', () => {
    expect(t.count).toBe(7);
    expect(JSON.stringify(t.result)).toBe(JSON.stringify(runScenario(builtinScenario('two-domains-two-pcpus'))));
  });

  it('before the first step: nothing changed, every page clean, no highlight', () => {
    const m = stepModel(t, -1);
    expect(m.step).toBeNull();
    expect(m.slots).toEqual([]);
    expect(m.highlight).toEqual([]);
    expect(m.domains.map((d) => d.pages)).toEqual([
      [{ gpa: '0x80001000', state: 'clean' }],
      [{ gpa: '0x80001000', state: 'clean' }],
    ]);
    expect(m.cpus.map((c) => c.running)).toEqual([null, null]);
  });

  it('step 1: prepare_vlpt(A) writes xen_second[66] (0 → a table link), highlighted', () => {
    const m = stepModel(t, 1);
    expect(m.step).toEqual({ index: 1, cpu: 0, domain: 'A', event: 'logdirty-start' });
    expect(m.slots).toEqual([
      { slot: 66, before: '0x0000000000000000', after: expect.stringMatching(/^0x[0-9a-f]{16}$/) },
    ]);
    expect(m.highlight).toEqual([66]);
    expect(m.findings).toEqual([]);
  });

  it('step 4: the finding fires, names 0x80001000 and slot 66; pCPU0 caches one VLPT page; A has a phantom page', () => {
    const m = stepModel(t, 4);
    expect(m.findings.map((f) => f.id)).toEqual(['shared-table-local-flush']);
    expect(m.findings[0]!.pages).toEqual(['0x80001000']);
    expect(m.findings[0]!.message).toContain('0x80001000');
    expect(m.highlight).toEqual([66]);
    // 0x08000000 + (0x80001000 >> 12) * 8 = 0x08400008: the 4 KiB page at 0x08400000
    expect(m.cpus[0]!.window.map((w) => [w.va, w.size])).toEqual([['0x8400000', '0x1000']]);
    expect(m.cpus[0]!.added.map((w) => w.va)).toEqual(['0x8400000']);
    expect(m.cpus[1]!.window).toEqual([]);
    expect(m.domains.find((d) => d.name === 'A')!.pages).toEqual([{ gpa: '0x80001000', state: 'phantom' }]);
    expect(m.domains.find((d) => d.name === 'B')!.pages).toEqual([{ gpa: '0x80001000', state: 'clean' }]);
    expect(m.findingSteps).toEqual([4]);
  });

  it('step 5: B writes through the leaf A made writable: lost; step 6: the round reads phantom A and lost B', () => {
    expect(stepModel(t, 5).domains.find((d) => d.name === 'B')!.pages).toEqual([{ gpa: '0x80001000', state: 'lost' }]);
    const r = stepModel(t, 6);
    expect(r.domains.map((d) => d.pages[0]!.state)).toEqual(['phantom', 'lost']);
    expect(r.domains[0]!.caption).toMatch(/round 1 read 1 reported, 0 written, 0 lost, 1 phantom/);
    expect(r.earlier).toEqual([{ id: 'shared-table-local-flush', severity: 'error', step: 4 }]);
    expect(r.findings).toEqual([]);
  });

  it('step back is exact: forward to the end then back gives the model of a fresh engine run to that step', () => {
    let pos = -1;
    const seen = new Map<number, string>();
    for (let i = 0; i < 7; i++) {
      pos = nextPosition(pos, t.count, 'forward', []);
      seen.set(pos, JSON.stringify(stepModel(t, pos)));
    }
    for (let i = 0; i < 7; i++) {
      pos = nextPosition(pos, t.count, 'back', []);
      if (pos >= 0) expect(JSON.stringify(stepModel(t, pos))).toBe(seen.get(pos));
    }
    // the snapshot kept for step 4 is what an engine stopped after step 4 holds
    const e = new TraceEngine(builtinScenario('two-domains-two-pcpus'));
    for (let i = 0; i <= 4; i++) e.next();
    expect(snapshotAt(t, 4)).toEqual(e.snapshot());
  });

  it('every step of every built-in passes the host → webview guard', () => {
    for (const name of Object.keys(BUILTINS)) {
      const tr = traceScenario(builtinScenario(name), 'built-in');
      for (let p = -1; p < tr.count; p++) expect(isStepModel(stepModel(tr, p)), `${name} step ${p}`).toBe(true);
    }
  });

  it('a halted scenario stops stepping at the trap step', () => {
    const tr = traceScenario(builtinScenario('overrun-into-vmap'), 'built-in');
    expect(tr.result.halted).toMatch(/^step 2: /);
    expect(tr.count).toBe(3);
    expect(nextPosition(2, tr.count, 'forward', [])).toBe(2);
    expect(stepModel(tr, 2).findings.map((f) => f.id)).toContain('window-overrun');
  });

  it('the grid is capped; the rest is counted', () => {
    const gpas = Array.from({ length: GRID_CAP + 10 }, (_, i) => `0x${(0x80000000 + i * 4096).toString(16)}`);
    const sc = parseScenario({
      name: 'many',
      domains: [{ name: 'A', ramBase: '0x80000000', ramSize: '16M' }],
      steps: [
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'A', cpu: 0 },
        { op: 'write', domain: 'A', gpas },
      ],
    });
    const m = stepModel(traceScenario(sc, 'x.json'), 2);
    expect(m.domains[0]!.pages.length).toBe(GRID_CAP);
    expect(m.domains[0]!.more).toBe(10);
    expect(m.domains[0]!.pages.every((p) => p.state === 'ok')).toBe(true);
    // one note per fault: 266 notes become LIST_CAP - 1 and a count
    expect(m.notes.length).toBe(LIST_CAP);
    expect(m.notes.at(-1)).toBe(`… and ${GRID_CAP + 10 - LIST_CAP + 1} more notes (xenlens trace --json has them all)`);
    expect(isStepModel(m)).toBe(true);
  });
});

describe('the demo scenario file (demo/pcpu-sharing.scenario.json)', () => {
  it('parses, converges in round 1, and fires the wrong-domain finding at step 10 on 0x9fffe000', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../../demo/pcpu-sharing.scenario.json', import.meta.url), 'utf8');
    const t = traceScenario(parseScenario(text, 'demo/pcpu-sharing.scenario.json'), 'demo/pcpu-sharing.scenario.json');
    expect(t.count).toBe(13);
    for (const d of t.result.rounds[0]!.domains) expect([d.lost, d.phantom]).toEqual([[], []]);
    const m = stepModel(t, nextPosition(9, 13, 'continue', stepModel(t, 9).findingSteps));
    expect(m.pos).toBe(10);
    expect(m.findings.map((f) => [f.id, f.pages])).toEqual([['shared-table-local-flush', ['0x9fffe000']]]);
    // 0x80005000 still hit pCPU0's cached VLPT page (A's table): logged right
    expect(m.domains[0]!.pages.filter((p) => p.state !== 'clean')).toEqual([
      { gpa: '0x80005000', state: 'ok' },
      { gpa: '0x9fffe000', state: 'phantom' },
    ]);
  });
});

describe('step back replays a journal of deltas (issue 13 item 4: a copy per step cost 2.3 GB at 300 steps)', () => {
  // 40 steps, each writing 25 pages 2 MiB apart: every fault caches one more VLPT page, so the TLB
  // grows by 25 entries a step (0x08000000 + gfn*8: one 4 KiB VLPT page per 512 gfns = 2 MiB)
  const steps: unknown[] = [
    { op: 'schedule', domain: 'A', cpu: 0 },
    { op: 'logdirty-start', domain: 'A', cpu: 0 },
  ];
  for (let s = 0; s < 40; s++) {
    steps.push({
      op: 'write',
      domain: 'A',
      gpas: Array.from({ length: 25 }, (_, j) => 0x80000000 + (s * 25 + j) * 0x200000),
    });
    if (s % 10 === 9) steps.push({ op: 'round' });
  }
  const sc = parseScenario({ name: 'grow', cpus: 2, domains: [{ name: 'A', ramSize: '4G' }], steps });
  const t = traceScenario(sc, 'grow.json');

  it('any seek order gives what a fresh engine holds after that step', () => {
    expect(t.count).toBe(46);
    const fresh: unknown[] = [];
    const e = new TraceEngine(sc);
    fresh.push(e.snapshot());
    while (e.next()) fresh.push(e.snapshot());
    // the TLB really grew: 25 VLPT pages per write step on pCPU0 (1000 after the 40 writes)
    expect((fresh.at(-1) as { tlb: unknown[][] }).tlb[0]!.length).toBeGreaterThanOrEqual(1000);
    const order = [45, -1, 17, 16, 44, 0, 30, 30, 2, 45, 12, -1, 33];
    for (const p of order) expect(snapshotAt(t, p), `step ${p}`).toEqual(fresh[p + 1]);
  });

  it('a model after seeking back equals the model reached forwards', () => {
    const fwd = JSON.stringify(stepModel(t, 20));
    stepModel(t, 45);
    expect(JSON.stringify(stepModel(t, 20))).toBe(fwd);
  });
});

describe('a scenario name over 64 characters (issue 13 item 7: the view dropped it silently)', () => {
  const domains = [{ name: 'A', ramSize: '16M' }];
  const steps = [{ op: 'schedule', domain: 'A', cpu: 0 }];
  it('is shown cut to 64 characters with an ellipsis, in full in the tooltip, and passes the guard', () => {
    const name = 'n'.repeat(70) + 'END';
    const m = stepModel(traceScenario(parseScenario({ name, domains, steps }), 'x.json'), 0);
    expect(m.scenario).toBe('n'.repeat(63) + '…');
    expect(m.scenario.length).toBe(64);
    expect(m.scenarioTitle).toBe(name);
    expect(isStepModel(m)).toBe(true);
  });
  it('the default name, a long file path, passes too', () => {
    const path = 'deeply/' + 'nested/'.repeat(20) + 'pcpu.scenario.json';
    const m = stepModel(traceScenario(parseScenario(JSON.stringify({ domains, steps }), path), path), -1);
    expect(m.scenario.endsWith('…')).toBe(true);
    expect(m.scenarioTitle).toBe(path);
    expect(isStepModel(m)).toBe(true);
  });
  it('a 64-character name is left whole', () => {
    const m = stepModel(traceScenario(parseScenario({ name: 'x'.repeat(64), domains, steps }), 'x.json'), -1);
    expect(m.scenario).toBe('x'.repeat(64));
  });
});

describe('a scenario file starting with a byte-order mark (issue 13 item 9)', () => {
  it('is read as the same scenario', () => {
    const text = JSON.stringify({ name: 'bom', domains: [{ name: 'A', ramSize: '16M' }], steps: [] });
    expect(parseScenario('\ufeff' + text, 'b.json')).toEqual(parseScenario(text, 'b.json'));
  });
});

describe('total guest RAM of a scenario is capped (issue 13 item 5: three 200 GiB domains took 30 s, 1.4 GB)', () => {
  const dom = (name: string, base: string, size: string) => ({ name, ramBase: base, ramSize: size });
  it('three 200 GiB domains: one line naming domains and the 128 GiB cap, before anything is built', () => {
    const text = JSON.stringify({
      domains: [dom('A', '0x80000000', '200G'), dom('B', '0x4000000000', '200G'), dom('C', '0x8000000000', '200G')],
      steps: [],
    });
    expect(() => parseScenario(text, 'big.json')).toThrow(
      /^big\.json: domains: 600 GiB of guest RAM in total is more than the 128 GiB a scenario may declare/,
    );
  });
  it('62 GiB + 64 GiB (126 GiB) is still accepted', () => {
    const s = parseScenario({ domains: [dom('A', '0x80000000', '62G'), dom('B', '0x4000000000', '64G')], steps: [] });
    expect(s.domains.map((d) => d.ramSize)).toEqual([62 * 2 ** 30, 64 * 2 ** 30]);
  });
});

describe('the TLB window list stays exact as the TLB grows (issue 13 item 6: a step is no longer O(TLB size))', () => {
  // 4 GiB at 2 GiB: one VLPT page (4 KiB of PTEs) per 2 MiB of guest RAM; a stride of 5 × 2 MiB
  // touches a new VLPT page each access, across many xen_second slots, on both pCPUs
  const steps: unknown[] = [
    { op: 'schedule', domain: 'A', cpu: 0 },
    { op: 'logdirty-start', domain: 'A', cpu: 0 },
  ];
  for (let i = 0; i < 400; i++)
    steps.push({
      op: 'access',
      domain: 'A',
      cpu: i % 3 === 0 ? 1 : 0,
      gpa: `0x${(0x80000000 + i * 5 * 0x200000).toString(16)}`,
    });
  const t = traceScenario(
    parseScenario({ tree: '9a80d50', cpus: 2, domains: [{ name: 'A', ramBase: '0x80000000', ramSize: '4G' }], steps }),
    'grow.json',
  );
  // the oracle: every cached entry (snapshotAt lists the whole TLB), filtered to the window, sorted
  const naive = (pos: number, cpu: number) =>
    snapshotAt(t, pos)
      .tlb[cpu]!.filter((e) => e.va < t.window.end && e.va + e.size > t.window.start)
      .slice(0, LIST_CAP)
      .map((e) => ({
        va: `0x${e.va.toString(16)}`,
        size: `0x${e.size.toString(16)}`,
        pa: `0x${(e.mfn * 4096).toString(16)}`,
        readOnly: e.readOnly,
      }));
  it('forwards and backwards, both pCPUs, past the 200-line cap', () => {
    expect(t.count).toBe(402);
    const positions = [-1, 0, 1, 2, 50, 150, 401, 400, 300, 3, 401];
    for (const p of positions)
      for (const cpu of [0, 1]) {
        const shown = stepModel(t, p).cpus[cpu]!.window;
        expect(shown).toEqual(naive(p, cpu));
      }
    // pCPU0 read 266 distinct VLPT pages (i % 3 ≠ 0 of 400): cut to the 200-line cap; pCPU1 read 134
    expect(stepModel(t, 401).cpus.map((c) => c.window.length)).toEqual([LIST_CAP, 134]);
  });
});
