import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings } from '../../../src/extension/settings';

const from = (o: Record<string, unknown>) => (k: string) => o[k];

describe('typed settings reader', () => {
  it('defaults when nothing is set', () => {
    expect(readSettings(from({}))).toEqual({ settings: DEFAULT_SETTINGS, warnings: [] });
  });
  it('reads hex and sizes', () => {
    const { settings, warnings } = readSettings(
      from({ ramBase: '0x8000_0000', ramSize: '62G', tree: '9a80d50', mapScale: 'linear', hoverLanguages: ['c', 'c'] }),
    );
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({
      ramBase: 0x80000000,
      ramSize: 62 * 2 ** 30,
      tree: '9a80d50',
      mapScale: 'linear',
      hoverLanguages: ['c'],
    });
  });
  it('an invalid value warns and keeps the previous good value', () => {
    const prev = { ...DEFAULT_SETTINGS, ramSize: 2 ** 30, mapScale: 'linear' as const };
    const { settings, warnings } = readSettings(
      from({ ramSize: 'lots', mapScale: 'huge', tree: 'x', hoverLanguages: 'c', layoutSource: '' }),
      prev,
    );
    expect(settings.ramSize).toBe(2 ** 30);
    expect(settings.mapScale).toBe('linear');
    expect(settings.tree).toBe(prev.tree);
    expect(settings.hoverLanguages).toEqual(prev.hoverLanguages);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatch(/xenMemory\.ramSize/);
  });
  it('base and size are checked together (40-bit IPA)', () => {
    const { settings, warnings } = readSettings(from({ ramBase: '0xff00000000', ramSize: '8G' }));
    expect(settings.ramBase).toBe(DEFAULT_SETTINGS.ramBase);
    expect(warnings[0]).toMatch(/40-bit/);
  });
});
