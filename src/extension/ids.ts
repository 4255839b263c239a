/**
 * Every id the extension registers, in one place. test/unit/extension/ids.test.ts checks this
 * file against package.json `contributes`, both ways. No `vscode` import: unit-testable.
 */
export const EXTENSION_ID = 'xen-memory-lens.xen-memory-lens';
export const CONTAINER = 'xenMemory';
export const OUTPUT_NAME = 'Xen Memory';
export const CATEGORY = 'Xen Memory';

export const VIEW = {
  xenSecond: 'xenMemory.xenSecond',
  vlpt: 'xenMemory.vlpt',
  scenario: 'xenMemory.scenario',
  live: 'xenMemory.live',
} as const;

export const CMD = {
  resolveAtCursor: 'xenMemory.resolveAtCursor',
  resolve: 'xenMemory.resolve',
  reveal: 'xenMemory.reveal',
  showMap: 'xenMemory.showMap',
  copyResolution: 'xenMemory.copyResolution',
  copyLayoutMarkdown: 'xenMemory.copyLayoutMarkdown',
  copyLayoutCommentMap: 'xenMemory.copyLayoutCommentMap',
  selectLayoutSource: 'xenMemory.selectLayoutSource',
  setGuestRam: 'xenMemory.setGuestRam',
  refresh: 'xenMemory.refresh',
  openRegion: 'xenMemory.openRegion',
  showPatchMap: 'xenMemory.showPatchMap',
  switchArch: 'xenMemory.switchArch',
} as const;
export type CommandId = (typeof CMD)[keyof typeof CMD];

/** the commands hover links may run (isTrusted.enabledCommands) */
export const HOVER_COMMANDS: readonly CommandId[] = [CMD.reveal, CMD.showMap, CMD.copyResolution];

export const CONFIG_SECTION = 'xenMemory';
export const SETTING = {
  ramBase: 'ramBase',
  ramSize: 'ramSize',
  tree: 'tree',
  layoutSource: 'layoutSource',
  arch: 'arch',
  hoverLanguages: 'hoverLanguages',
  hoverMode: 'hover.mode',
  mapScale: 'mapScale',
} as const;
export type SettingKey = (typeof SETTING)[keyof typeof SETTING];

export const MAP_VIEW_TYPE = 'xenMemory.map';
export const DIAGNOSTIC_SOURCE = 'Xen Memory Lens';
/** context key set while a session failed to build (drives the views' welcome text) */
export const CTX_ERROR = 'xenMemory.error';
/** context key set while prepare_vlpt wrote no slot (the VLPT view's welcome text) */
export const CTX_VLPT_EMPTY = 'xenMemory.vlptEmpty';

/** the live Xen commands (registered by live.ts, not by Commands) */
export const LIVE_CMD = {
  attach: 'xenMemory.attachLive',
  detach: 'xenMemory.detachLive',
  refresh: 'xenMemory.refreshLive',
  guestEntry: 'xenMemory.liveGuestEntry',
  report: 'xenMemory.liveReport',
} as const;
/** the debug type of a live Xen (cdt-gdb-adapter + gdb-multiarch against QEMU's gdbstub; issue 14) */
export const DEBUG_TYPE = 'xen-live';
/** context key set while a live Xen is attached (the Live view's welcome text and title buttons) */
export const CTX_LIVE = 'xenMemory.live';

/** the Scenario view's commands (registered by scenarioView.ts, not by Commands) */
export const SCENARIO_CMD = {
  pick: 'xenMemory.scenario.pick',
  stepForward: 'xenMemory.scenario.stepForward',
  stepBack: 'xenMemory.scenario.stepBack',
  continue: 'xenMemory.scenario.continue',
  restart: 'xenMemory.scenario.restart',
} as const;
/** context keys the Scenario view sets (title buttons' enablement) */
export const CTX_SCENARIO = {
  loaded: 'xenMemory.scenario.loaded',
  canBack: 'xenMemory.scenario.canBack',
  canForward: 'xenMemory.scenario.canForward',
  /**
   * focus is inside the Scenario webview: `focusedView` is not set then (the webview is an
   * overlay outside the view pane's element), so the keybindings also check this key
   */
  focused: 'xenMemory.scenario.focused',
} as const;
