import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CMD,
  CONFIG_SECTION,
  CONTAINER,
  CTX_SCENARIO,
  HOVER_COMMANDS,
  MAP_VIEW_TYPE,
  SCENARIO_CMD,
  LIVE_CMD,
  SETTING,
  VIEW,
} from '../../../src/extension/ids';
import { DEFAULT_SETTINGS } from '../../../src/extension/settings';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));

describe('ids.ts matches package.json contributes, both ways', () => {
  it('every command id is contributed and every contributed command is in ids.ts', () => {
    const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    expect(contributed).toEqual(
      [...Object.values(CMD), ...Object.values(SCENARIO_CMD), ...Object.values(LIVE_CMD)].sort(),
    );
  });
  it('every command is in the "Xen Memory" category', () => {
    for (const c of pkg.contributes.commands) expect(c.category).toBe('Xen Memory');
  });
  it('the views and the container', () => {
    expect(pkg.contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id)).toEqual([CONTAINER]);
    expect(pkg.contributes.views[CONTAINER].map((v: { id: string }) => v.id).sort()).toEqual(
      Object.values(VIEW).sort(),
    );
    for (const w of pkg.contributes.viewsWelcome) expect(Object.values(VIEW)).toContain(w.view);
  });
  it('settings: the same keys, and defaults the typed reader agrees with', () => {
    const props = pkg.contributes.configuration.properties;
    expect(Object.keys(props).sort()).toEqual(
      Object.values(SETTING)
        .map((k) => `${CONFIG_SECTION}.${k}`)
        .sort(),
    );
    expect(props['xenMemory.hoverLanguages'].default).toEqual(DEFAULT_SETTINGS.hoverLanguages);
    expect(props['xenMemory.mapScale'].default).toBe(DEFAULT_SETTINGS.mapScale);
    expect(props['xenMemory.tree'].default).toBe(DEFAULT_SETTINGS.tree);
    expect(props['xenMemory.layoutSource'].default).toBe(DEFAULT_SETTINGS.layoutSource);
  });
  it('menus only name contributed commands; hover commands are ours', () => {
    const ids = new Set<string>([...Object.values(CMD), ...Object.values(SCENARIO_CMD), ...Object.values(LIVE_CMD)]);
    for (const list of Object.values(pkg.contributes.menus) as Array<Array<{ command: string }>>)
      for (const m of list) expect(ids.has(m.command as never)).toBe(true);
    for (const c of HOVER_COMMANDS) expect(ids.has(c)).toBe(true);
  });
  it('the Scenario view: a webview view; its keybindings apply only while it is focused', () => {
    const view = pkg.contributes.views[CONTAINER].find((v: { id: string }) => v.id === VIEW.scenario);
    expect(view.type).toBe('webview');
    const keys = pkg.contributes.keybindings as Array<{ command: string; when: string }>;
    expect(keys.map((k) => k.command).sort()).toEqual(
      [SCENARIO_CMD.continue, SCENARIO_CMD.restart, SCENARIO_CMD.stepBack, SCENARIO_CMD.stepForward].sort(),
    );
    for (const k of keys) expect(k.when).toBe(`focusedView == ${VIEW.scenario} || ${CTX_SCENARIO.focused}`);
  });
  it('activation: no "*", the webview serializer event is there', () => {
    expect(pkg.activationEvents).not.toContain('*');
    expect(pkg.activationEvents).toContain(`onWebviewPanel:${MAP_VIEW_TYPE}`);
    expect(pkg.main).toBe('./dist/extension.js');
    expect(pkg.capabilities.untrustedWorkspaces.supported).toBe('limited');
  });
});
