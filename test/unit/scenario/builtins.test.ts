// Expected outcomes worked out by hand from the reference doc (§7, §8, §10) and the scenario steps.
import { describe, expect, it } from 'vitest';
import { builtinScenario, BUILTINS } from '../../../src/core/scenario/builtins';
import { runScenario } from '../../../src/core/scenario/engine';
import { parseScenario } from '../../../src/core/scenario/parse';
import { InputError } from '../../../src/core/errors';

describe('built-in scenarios', () => {
  it('lists the four required built-ins', () => {
    for (const n of ['single-domain-logdirty', 'two-domains-two-pcpus', 'cleanup-leaves-slots', 'overrun-into-vmap'])
      expect(BUILTINS).toHaveProperty(n);
  });

  it('single-domain-logdirty converges with zero lost and zero phantom pages', () => {
    const r = runScenario(builtinScenario('single-domain-logdirty'));
    expect(r.halted).toBeNull();
    // round 1: 3 distinct pages written; round 2: 0x80001000, 0x80005000 (0x80005008 is the same page); round 3: nothing
    expect(r.rounds.map((x) => x.domains[0]!.reported.length)).toEqual([3, 2, 0]);
    for (const rd of r.rounds)
      for (const d of rd.domains) {
        expect(d.lost).toEqual([]);
        expect(d.phantom).toEqual([]);
      }
    // 512 MiB at 2 GiB: L1 index 2 → xen_second[66] (doc §8 worked example)
    expect(r.steps[1]!.changes.slots.map((s) => s.slot)).toEqual([66]);
    // prepare write-protects every RAM leaf: 512 MiB / 4 KiB = 131072
    expect(r.steps[1]!.changes.leavesChanged).toBe(131072);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // 5 faults (3 + 2: the second write to 0x80005008 finds the page writable already)
    expect(r.cost.vlpt.faults).toBe(5);
    // p2m_lookup per fault: 3 map_domain_page + 3 loads + 3 local invalidations (doc §5 cost)
    expect(r.cost.p2mLookup.counts.mapDomainPage).toBe(15);
    expect(r.cost.p2mLookup.counts.tlbInvalidations).toBe(15);
  });

  it('two-domains-two-pcpus reports the wrong-domain access and the page it loses', () => {
    const r = runScenario(builtinScenario('two-domains-two-pcpus'));
    const f = r.findings.find((x) => x.id === 'shared-table-local-flush');
    expect(f).toBeDefined();
    expect(f!.step).toBe(4); // A's write on pCPU0 after B's prepare on pCPU1
    expect(f!.pages).toEqual(['0x80001000']);
    expect(f!.slots).toEqual([66]);
    const round = r.rounds[0]!;
    const a = round.domains.find((d) => d.domain === 'A')!;
    const b = round.domains.find((d) => d.domain === 'B')!;
    // A's bitmap got the bit but A's write never completed (refault loop): phantom
    expect(a.phantom).toEqual(['0x80001000']);
    // B's leaf was made writable by A's handler: B's write is not logged
    expect(b.lost).toEqual(['0x80001000']);
  });

  it('stale-tlb-after-switch reports restore-skip-stale-tlb', () => {
    const r = runScenario(builtinScenario('stale-tlb-after-switch'));
    const f = r.findings.find((x) => x.id === 'restore-skip-stale-tlb');
    expect(f).toBeDefined();
    expect(f!.step).toBe(5);
    expect(f!.pages).toEqual(['0x80002000']);
    // restore_vlpt(A) on pCPU0 at step 4 wrote no slot (xen_second[66] already A's from pCPU1)
    expect(r.steps[4]!.changes.slots).toEqual([]);
    expect(r.rounds[0]!.domains.find((d) => d.domain === 'B')!.lost).toEqual(['0x80002000']);
  });

  it('cleanup-leaves-slots: cleanup frees nothing and leaves slot 66 mapped after destroy', () => {
    const r = runScenario(builtinScenario('cleanup-leaves-slots'));
    expect(r.findings.map((f) => [f.id, f.step])).toEqual(
      expect.arrayContaining([
        ['cleanup-leak', 4],
        ['cleanup-stale-slots', 4],
        ['cleanup-stale-slots', 5],
      ]),
    );
    const stale = r.findings.filter((f) => f.id === 'cleanup-stale-slots');
    for (const f of stale) expect(f.slots).toEqual([66]);
    expect(r.rounds[0]!.domains[0]!.lost).toEqual([]);
  });

  it('overrun-into-vmap: slot 128 overwritten by prepare, next vmap access traps', () => {
    const r = runScenario(builtinScenario('overrun-into-vmap'));
    // 62 GiB at 2 GiB: end = 64 GiB, end_index = 64 + 1 = 65 → slots 66..128 (doc §9.3)
    expect(r.steps[1]!.changes.slots.map((s) => s.slot)).toEqual(Array.from({ length: 63 }, (_, i) => 66 + i));
    const over = r.findings.filter((f) => f.id === 'window-overrun');
    expect(over.map((f) => f.step)).toEqual([1, 2]);
    expect(over[1]!.pages).toEqual(['0x10000000']);
    expect(r.halted).toMatch(/Unexpected Trap: Data Abort/);
  });
});

describe('restore-partial-range', () => {
  it("B's read above its RAM goes through A's slot 67 and reads A's leaf", () => {
    const r = runScenario(builtinScenario('restore-partial-range'));
    // A: 4 GiB at 2 GiB → end 6 GiB, end_index 7 → slots 66..70 written; 70 is the +1 extra
    // slot and gets A's invalid L1[6] over an invalid entry, so only 66..69 change
    expect(r.steps[1]!.notes.join(' ')).toContain('slots 66–70');
    expect(r.steps[1]!.changes.slots.map((x) => x.slot)).toEqual([66, 67, 68, 69]);
    // B: 512 MiB at 2 GiB → slot 66 only; restore_vlpt(B) finds it equal
    expect(r.steps[2]!.changes.slots.map((x) => x.slot)).toEqual([66]);
    expect(r.steps[3]!.changes.slots).toEqual([]);
    const f = r.findings.filter((x) => x.id === 'restore-partial-range');
    // 0x80001000 is B's own page (no finding); 0xc0001000: gfn 0xc0001 → VA 0x08600008, slot 67
    expect(f.map((x) => [x.step, x.pages, x.slots])).toEqual([[5, ['0xc0001000'], [67]]]);
    // A's leaf for gfn 0xc0001: A's RAM frames start at 0x1000000, so mfn 0x1000000 + (0xc0001 − 0x80000) = 0x1040001;
    // 9a80d50 ram_rw leaf written back to read-only by log-dirty: 0x00800000_0000067f | mfn << 12
    expect(f[0]!.message).toContain('0x008000104000167f');
  });
});

describe('scenario files', () => {
  it('names the bad field', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['{', /not valid JSON/],
      [{ domains: [], steps: [] }, /domains: expected an array of 1 to 8/],
      [{ domains: [{ name: 'A', ramSize: '0' }], steps: [] }, /domains\[0\].*non-zero multiple of 4 KiB/],
      [{ domains: [{ name: 'A', ramSize: '1G' }], steps: [{ op: 'jump' }] }, /steps\[0\]\.op: "jump"/],
      [
        { domains: [{ name: 'A', ramSize: '1G' }], steps: [{ op: 'write', domain: 'B', gpa: 1 }] },
        /steps\[0\]\.domain: "B"/,
      ],
      [
        { domains: [{ name: 'A', ramSize: '1G' }], steps: [{ op: 'schedule', domain: 'A', cpu: 5 }] },
        /steps\[0\]\.cpu: 5/,
      ],
      [{ domains: [{ name: 'A', ramSize: '1G' }], steps: [], costs: { foo: 1 } }, /costs: unknown field "foo"/],
      [{ domains: [{ name: 'A', ramSize: '1G' }], steps: [], extra: 1 }, /unknown field "extra"/],
    ];
    for (const [input, re] of bad) {
      expect(() => parseScenario(input, 's.json')).toThrow(InputError);
      expect(() => parseScenario(input, 's.json')).toThrow(re);
    }
  });

  it('a write by an unscheduled domain is bad input', () => {
    const sc = parseScenario({
      domains: [{ name: 'A', ramSize: '4M' }],
      steps: [{ op: 'write', domain: 'A', gpa: '0x80000000' }],
    });
    expect(() => runScenario(sc)).toThrow(/not scheduled/);
  });
});

describe('scenario JSON depth', () => {
  it('refuses nesting deeper than 32 before parsing it, and accepts a real scenario', () => {
    const deep = '{"domains":' + '['.repeat(40) + ']'.repeat(40) + '}';
    expect(() => parseScenario(deep, 'deep.json')).toThrow(/deep\.json: JSON nested deeper than 32 levels/);
    // brackets inside strings do not count
    const ok = JSON.stringify({
      name: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
      domains: [{ name: 'A', ramSize: '4M' }],
      steps: [],
    });
    expect(parseScenario(ok, 'ok.json').domains).toHaveLength(1);
  });
});
