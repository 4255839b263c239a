/**
 * Scenario files (JSON): a system, domains, and steps. Published schema: scenario.schema.json
 * beside this file; `parseScenario` checks every field and names the bad one.
 */
import type { XenTree } from '../lpae';

export type StepOp =
  | { op: 'logdirty-start'; domain: string; cpu: number }
  | { op: 'logdirty-stop'; domain: string; cpu: number }
  | { op: 'schedule'; domain: string; cpu: number }
  | { op: 'write'; domain: string; gpas: number[] }
  | { op: 'round' }
  | { op: 'destroy'; domain: string; cpu: number }
  | { op: 'vmap'; cpu: number }
  /** Xen, on `cpu` for `domain`, reads the VLPT PTE of `gpa` (what its fault handler does first) */
  | { op: 'access'; domain: string; cpu: number; gpa: number };

export interface ScenarioDomain {
  name: string;
  ramBase: number;
  ramSize: number;
}

/** cycles per primitive [A]: a model, not a measurement; override per scenario */
export interface CostTable {
  load: number;
  store: number;
  tlbMissWalkPerLevel: number;
  mapDomainPage: number;
  unmapDomainPage: number;
  tlbiMva: number;
  tlbiAll: number;
  dsb: number;
  isb: number;
  lockPair: number;
}

export const DEFAULT_COSTS: CostTable = {
  load: 4,
  store: 4,
  tlbMissWalkPerLevel: 25,
  mapDomainPage: 60,
  unmapDomainPage: 10,
  tlbiMva: 15,
  tlbiAll: 200,
  dsb: 20,
  isb: 10,
  lockPair: 40,
};

export interface Scenario {
  name: string;
  description: string;
  tree: XenTree;
  cpus: number;
  hostRamSize: number;
  domains: ScenarioDomain[];
  steps: StepOp[];
  costs: CostTable;
}
