/**
 * One emulated system as the tools show it: Xen booted on N pCPUs, one domU with its p2m, and
 * `prepare_vlpt` run for it on pCPU0 (what the series does when log-dirty starts).
 */
import { XenSystem } from './xenPageTables';
import { buildGuest, checkGuestRam, DEFAULT_RAM_BASE, DEFAULT_RAM_SIZE, type Domain } from './p2m';
import { prepareVlpt, type VlptCallResult } from './vlpt';
import { analyzePrepare, type Finding } from './findings';
import type { Layout } from './layout/types';
import type { XenTree } from './lpae';

export interface SessionOptions {
  ramBase?: number;
  ramSize?: number;
  tree?: XenTree;
  cpus?: number;
  hostRamSize?: number;
  layout?: Layout;
  slackPages?: number;
  magicPages?: boolean;
  /** skip prepare_vlpt (views of the boot state) */
  noPrepare?: boolean;
}

export interface Session {
  sys: XenSystem;
  dom: Domain;
  prepare: VlptCallResult | null;
  findings: Finding[];
}

export function createSession(opts: SessionOptions = {}): Session {
  const ramBase = opts.ramBase ?? DEFAULT_RAM_BASE;
  const ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE;
  checkGuestRam(ramBase, ramSize, opts.tree ?? 'ac6e1ae');
  const sys = new XenSystem({
    ...(opts.layout ? { layout: opts.layout } : {}),
    ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
    ...(opts.tree ? { tree: opts.tree } : {}),
    ...(opts.hostRamSize !== undefined ? { hostRamSize: opts.hostRamSize } : {}),
  });
  const dom = buildGuest(sys, {
    ramBase,
    ramSize,
    ...(opts.slackPages !== undefined ? { slackPages: opts.slackPages } : {}),
    ...(opts.magicPages !== undefined ? { magicPages: opts.magicPages } : {}),
  });
  if (opts.noPrepare) return { sys, dom, prepare: null, findings: [] };
  const prepare = prepareVlpt(sys, dom, 0);
  return { sys, dom, prepare, findings: analyzePrepare(sys, dom, prepare) };
}
