/**
 * The typed `xenMemory.*` settings. Pure (no `vscode` import): state.ts feeds it the raw
 * values from the workspace configuration; an invalid value yields a warning and keeps the
 * previous good value, so a typo in settings.json never breaks the views.
 */
import { checkGuestRam, parseNumber, XEN_TREES, type Arch, type XenTree } from '../core/index';

export type MapScale = 'linear' | 'readable';
/** `contextual`: GPA hovers only where the line says the number is an address (detect.ts); `eager`: every literal */
export type HoverMode = 'contextual' | 'eager';

export interface Settings {
  ramBase: number;
  ramSize: number;
  tree: XenTree;
  /** "auto" (the open Xen tree), "embedded", or a workspace-relative path of a header (.h) or a patch */
  layoutSource: string;
  /** which branch of the layout headers the views show */
  arch: Arch;
  hoverLanguages: string[];
  hoverMode: HoverMode;
  mapScale: MapScale;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  ramBase: 0x80000000,
  ramSize: 512 * 1024 * 1024,
  tree: 'ac6e1ae' as XenTree,
  layoutSource: 'auto',
  arch: 'arm32' as Arch,
  hoverLanguages: ['c', 'cpp', 'arm', 'asm', 'arm64', 'diff', 'log', 'plaintext'],
  hoverMode: 'contextual' as HoverMode,
  mapScale: 'readable' as MapScale,
});

/** setting keys under `xenMemory.` (the hover mode is `xenMemory.hover.mode`) */
export type RawKey = Exclude<keyof Settings, 'hoverMode'> | 'hover.mode';
export type RawGetter = (key: RawKey) => unknown;

export interface SettingsResult {
  settings: Settings;
  warnings: string[];
}

function num(raw: unknown, key: string, size: boolean): number {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0)
      throw new Error(`xenMemory.${key}: ${raw} is not a non-negative integer`);
    return raw;
  }
  if (typeof raw !== 'string')
    throw new Error(`xenMemory.${key}: expected a string like "0x80000000"${size ? ' or "512M"' : ''}`);
  return parseNumber(raw, `xenMemory.${key}`, { size });
}

/** Read every setting; each invalid one falls back to `previous` with a warning. */
export function readSettings(get: RawGetter, previous: Settings = DEFAULT_SETTINGS): SettingsResult {
  const warnings: string[] = [];
  const s: Settings = { ...previous, hoverLanguages: [...previous.hoverLanguages] };
  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      warnings.push(e instanceof Error ? e.message : String(e));
    }
  };
  let base = previous.ramBase;
  let size = previous.ramSize;
  attempt(() => (base = num(get('ramBase') ?? DEFAULT_SETTINGS.ramBase, 'ramBase', false)));
  attempt(() => (size = num(get('ramSize') ?? DEFAULT_SETTINGS.ramSize, 'ramSize', true)));
  attempt(() => {
    checkGuestRam(base, size);
    s.ramBase = base;
    s.ramSize = size;
  });
  attempt(() => {
    const t = get('tree') ?? DEFAULT_SETTINGS.tree;
    if (typeof t !== 'string' || !(XEN_TREES as readonly string[]).includes(t))
      throw new Error(`xenMemory.tree: expected one of ${XEN_TREES.join(', ')}`);
    s.tree = t as XenTree;
  });
  attempt(() => {
    const l = get('layoutSource') ?? DEFAULT_SETTINGS.layoutSource;
    if (typeof l !== 'string' || l.trim() === '' || l.length > 1024 || /[\0\r\n]/.test(l))
      throw new Error('xenMemory.layoutSource: expected "auto", "embedded" or a workspace-relative path');
    s.layoutSource = l.trim();
  });
  attempt(() => {
    const h = get('hoverLanguages') ?? DEFAULT_SETTINGS.hoverLanguages;
    if (!Array.isArray(h) || h.length > 100 || !h.every((x) => typeof x === 'string' && /^[\w.+-]{1,64}$/.test(x)))
      throw new Error('xenMemory.hoverLanguages: expected an array of language ids');
    s.hoverLanguages = [...new Set(h as string[])];
  });
  attempt(() => {
    const a = get('arch') ?? DEFAULT_SETTINGS.arch;
    if (a !== 'arm32' && a !== 'arm64') throw new Error('xenMemory.arch: expected "arm32" or "arm64"');
    s.arch = a;
  });
  attempt(() => {
    const h = get('hover.mode') ?? DEFAULT_SETTINGS.hoverMode;
    if (h !== 'contextual' && h !== 'eager') throw new Error('xenMemory.hover.mode: expected "contextual" or "eager"');
    s.hoverMode = h;
  });
  attempt(() => {
    const m = get('mapScale') ?? DEFAULT_SETTINGS.mapScale;
    if (m !== 'linear' && m !== 'readable') throw new Error('xenMemory.mapScale: expected "linear" or "readable"');
    s.mapScale = m;
  });
  return { settings: s, warnings };
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return (
    a.ramBase === b.ramBase &&
    a.ramSize === b.ramSize &&
    a.tree === b.tree &&
    a.layoutSource === b.layoutSource &&
    a.arch === b.arch &&
    a.hoverMode === b.hoverMode &&
    a.mapScale === b.mapScale &&
    a.hoverLanguages.join('\0') === b.hoverLanguages.join('\0')
  );
}
