/**
 * Built-in scenarios: each reproduces one behaviour of the seed (reference doc §10) in the
 * fewest steps. Expected outcomes are worked out by hand in test/unit/scenario/*.test.ts.
 */
import { InputError } from '../errors';
import { parseScenario } from './parse';
import type { Scenario } from './types';

const RAM512 = { ramBase: '0x80000000', ramSize: '512M' };

export const BUILTINS: Record<string, { summary: string; json: unknown }> = {
  'single-domain-logdirty': {
    summary: 'one domU logging dirty pages on pCPU0: three migration rounds converge with no lost and no phantom page',
    json: {
      name: 'single-domain-logdirty',
      description:
        'A (512 MiB at 2 GiB) enables log-dirty, writes pages, and migration rounds read and clean the bitmap until it converges. Tree 9a80d50 (writable window).',
      tree: '9a80d50',
      cpus: 2,
      domains: [{ name: 'A', ...RAM512 }],
      steps: [
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'A', cpu: 0 },
        { op: 'write', domain: 'A', gpas: ['0x80001000', '0x80002000', '0x9ffff000'] },
        { op: 'round' },
        { op: 'write', domain: 'A', gpas: ['0x80001000', '0x80005000', '0x80005008'] },
        { op: 'round' },
        { op: 'round' },
      ],
    },
  },
  'two-domains-two-pcpus': {
    summary:
      'A on pCPU0 and B on pCPU1 both log dirty at 2 GiB: B’s prepare rewrites the shared slot 66, A’s fault resolves through B’s p2m',
    json: {
      name: 'two-domains-two-pcpus',
      description:
        'xen_second is shared; prepare_vlpt(B) on pCPU1 rewrites slot 66 and flushes pCPU1 only. A’s next write fault on pCPU0 walks B’s tables.',
      tree: '9a80d50',
      cpus: 2,
      domains: [
        { name: 'A', ...RAM512 },
        { name: 'B', ...RAM512 },
      ],
      steps: [
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'A', cpu: 0 },
        { op: 'schedule', domain: 'B', cpu: 1 },
        { op: 'logdirty-start', domain: 'B', cpu: 1 },
        { op: 'write', domain: 'A', gpa: '0x80001000' },
        { op: 'write', domain: 'B', gpa: '0x80001000' },
        { op: 'round' },
      ],
    },
  },
  'stale-tlb-after-switch': {
    summary:
      'restore_vlpt skips an equal slot without flushing: pCPU0 keeps B’s cached VLPT translation after switching to A',
    json: {
      name: 'stale-tlb-after-switch',
      description:
        'pCPU0 caches B’s VLPT page; pCPU1 puts A in slot 66; restore_vlpt(A) on pCPU0 finds the slot equal and flushes nothing.',
      tree: '9a80d50',
      cpus: 2,
      domains: [
        { name: 'A', ...RAM512 },
        { name: 'B', ...RAM512 },
      ],
      steps: [
        { op: 'schedule', domain: 'B', cpu: 0 },
        { op: 'logdirty-start', domain: 'B', cpu: 0 },
        { op: 'write', domain: 'B', gpa: '0x80001000' },
        { op: 'logdirty-start', domain: 'A', cpu: 1 },
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'write', domain: 'A', gpa: '0x80002000' },
        { op: 'schedule', domain: 'B', cpu: 1 },
        { op: 'write', domain: 'B', gpa: '0x80002000' },
        { op: 'round' },
      ],
    },
  },
  'cleanup-leaves-slots': {
    summary: 'cleanup_vlpt frees nothing and clears no slot; after the domain dies Xen still maps its freed p2m tables',
    json: {
      name: 'cleanup-leaves-slots',
      description: 'A logs dirty, migrates, stops log-dirty (cleanup_vlpt) and is destroyed.',
      tree: '9a80d50',
      cpus: 2,
      domains: [{ name: 'A', ...RAM512 }],
      steps: [
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'A', cpu: 0 },
        { op: 'write', domain: 'A', gpa: '0x80001000' },
        { op: 'round' },
        { op: 'logdirty-stop', domain: 'A', cpu: 0 },
        { op: 'destroy', domain: 'A', cpu: 0 },
      ],
    },
  },
  'restore-partial-range': {
    summary:
      'restore_vlpt rewrites only the incoming domain’s slots: after a 4 GiB guest, a 512 MiB guest’s VLPT read above its RAM returns the big guest’s leaf',
    json: {
      name: 'restore-partial-range',
      description:
        'A (4 GiB at 2 GiB, slots 66–70) logs dirty on pCPU0; then B (512 MiB, slot 66) does, and is switched in. restore_vlpt(B) covers slot 66 only: slots 67–70 keep A’s first-level entries.',
      tree: '9a80d50',
      cpus: 2,
      domains: [
        { name: 'A', ramBase: '0x80000000', ramSize: '4G' },
        { name: 'B', ...RAM512 },
      ],
      steps: [
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'B', cpu: 0 },
        { op: 'schedule', domain: 'B', cpu: 0 },
        { op: 'access', domain: 'B', cpu: 0, gpa: '0x80001000' },
        { op: 'access', domain: 'B', cpu: 0, gpa: '0xc0001000' },
      ],
    },
  },
  'overrun-into-vmap': {
    summary:
      'a 62 GiB guest at 2 GiB: prepare_vlpt overwrites slot 128 (VMAP); the next vmap allocation takes a HYP data abort',
    json: {
      name: 'overrun-into-vmap',
      description:
        'RAM 2 GiB .. 64 GiB passes the relative size check; end_index + 1 writes guest L1[64] (invalid) into xen_second[128], unmapping the vmap bitmap.',
      tree: '9a80d50',
      cpus: 2,
      domains: [{ name: 'A', ramBase: '0x80000000', ramSize: '62G' }],
      steps: [
        { op: 'schedule', domain: 'A', cpu: 0 },
        { op: 'logdirty-start', domain: 'A', cpu: 0 },
        { op: 'vmap', cpu: 0 },
      ],
    },
  },
};

export function builtinScenario(name: string): Scenario {
  const b = Object.prototype.hasOwnProperty.call(BUILTINS, name) ? BUILTINS[name] : undefined;
  if (!b)
    throw new InputError(
      `--builtin: "${name}" is not a built-in scenario (expected one of ${Object.keys(BUILTINS).join(', ')})`,
    );
  return parseScenario(b.json, `builtin:${name}`);
}
