// The public surface of the core: named exports only.
export { InputError, isInputError } from './errors';
export { parseNumber, hex, hex64, hex64Grouped, humanSize, join64, hiOf, loOf } from './numbers';
export * from './lpae';
export { PhysMem, FrameAllocator, MAX_MFN } from './memory';
export {
  Mmu,
  WalkRecord,
  HypTrap,
  FAULT_NAMES,
  FAULT_NONE,
  FAULT_TRANSLATION,
  FAULT_PERMISSION,
  FAULT_ACCESS_FLAG,
  zeroStats,
  diffStats,
  tlbEntryOf,
  tlbKeyOf,
  sameTlbView,
} from './mmu';
export type { CpuStats, FaultKind, TlbEntry } from './mmu';
export {
  XenSystem,
  XEN_SECOND_MFN,
  XEN_IMAGE_MFN,
  CPU0_PGTABLE_MFN,
  XEN_FIXMAP_MFN,
  XEN_XENMAP_MFN,
  CPU0_DOMMAP_MFN,
  FIXMAP_SLOTS,
  VMAP_BITMAP_PAGES,
} from './xenPageTables';
export type { SystemOptions, PCpu, SlotInfo } from './xenPageTables';
export {
  Domain,
  buildGuest,
  mapRange,
  p2mLookup,
  p2mLeaf,
  checkGuestRam,
  DEFAULT_RAM_BASE,
  DEFAULT_RAM_SIZE,
  FIRST_MFN_BASE,
  IPA_LIMIT,
} from './p2m';
export type { GuestOptions, DirtyState, P2mLookupResult, P2mCost } from './p2m';
export {
  prepareVlpt,
  restoreVlpt,
  flushVlpt,
  cleanupVlpt,
  getVlpt3lvlPte,
  secondLinearOffset,
  DPRINTK_FILE,
  LINE_VLPT_SMALL,
  LINE_SECOND_SMALL,
} from './vlpt';
export type { VlptCallResult, Printk } from './vlpt';
export { FINDINGS, findingDef, makeFinding, analyzePrepare, slotRegion } from './findings';
export { slotRanges } from './format/ranges';
export type { Finding, FindingDef, Severity } from './findings';
export { VlptResolver, resolveGpa, describeVa, stepsJson, GPA_LIMIT } from './resolve';
export type { ResolveReport, VaReport, StepJson } from './resolve';
export { createSession } from './session';
export type { Session, SessionOptions } from './session';
export { embeddedLayout, regionOf, findRegion, EMBEDDED_SOURCE } from './layout/embedded';
export type { Layout, Region, CommentMapRow, EndForm, Arch } from './layout/types';
export { slotsJson } from './format/slots';
export type { SlotJson } from './format/slots';
export { textTable, markdownTable, mdCell, va8 } from './format/table';
export { parseHeaders, DEFAULT_MAX_HEADER_CHARS } from './layout/header';
export { layoutVa } from './layout/format';
export type { HeaderFile, ParseHeadersOptions } from './layout/header';
export { lintLayout, lintHeaders, LINT_IDS } from './layout/lint';
export type { LintFinding } from './layout/lint';
export { SEED_BASE_CONFIG_H, SEED_BASE_PATH, seededConfigH, parsedEmbeddedLayout } from './layout/seedHeader';
export { readPatch } from './patch/readPatch';
export { wrap } from './format/table';
export { visibleControls, jsonVisible } from './format/controls';
export { runScenario, TraceEngine, statsCycles, SET_BITMAP, SET_TRUTH, SET_STALLED } from './scenario/engine';
export type {
  TraceResult,
  TraceStep,
  TraceFinding,
  RoundReport,
  EngineSnapshot,
  SlotChange,
  TlbChange,
  StepDelta,
} from './scenario/engine';
export { parseScenario } from './scenario/parse';
export { BUILTINS, builtinScenario } from './scenario/builtins';
export type { Scenario, CostTable } from './scenario/types';
export { DEFAULT_COSTS } from './scenario/types';
export type { PatchInfo, PatchFinding, RegionChange, LayoutDiff } from './patch/types';
export {
  ARM_LAYOUT_ENTRIES,
  armLayoutArches,
  discoverTree,
  discoverTreeAsync,
  findTreeEntries,
  includeTargets,
  inTree,
  walkTree,
} from './layout/tree';
export type { LayoutHeaderSet, TreeLayout } from './layout/tree';
export {
  parseReg64,
  decodeStage2,
  decodeXenRoot,
  decodeLiveEntry,
  readTable,
  tableEntry,
  usedEntries,
  translate,
  findXenSecond,
  seedVlpt,
  levelShift,
  P2M_TYPES_417,
  XEN_VIRT_START_417,
  SEED_VIRT_LIN_P2M_START,
} from './live/decode';
export { region417, LAYOUT_417_ARM32 } from './live/report';
export type {
  ReadPhys,
  LiveArch,
  Reg64,
  Stage2,
  LiveEntry,
  LiveTable,
  LiveStep,
  LiveWalk,
  EntryState,
} from './live/decode';
