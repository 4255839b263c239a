/**
 * Regression (npm run fuzz, scenario reader): `costs` accepted inherited names such as
 * "constructor", "hasOwnProperty" or "__defineGetter__" (`k in DEFAULT_COSTS`), writing them as
 * own fields of the cost table instead of reporting an unknown field.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, InputError } from '../../../src/core';

const input = readFileSync(join(__dirname, '../../fixtures/fuzz-crashes/24b31e823100e418.txt'), 'utf8');

describe('scenario reader: costs take only their own fields', () => {
  it('"constructor" in costs is an unknown field (the saved input)', () => {
    expect(() => parseScenario(input, 'fuzz.json')).toThrow(InputError);
    expect(() => parseScenario(input, 'fuzz.json')).toThrow(/costs: unknown field "constructor"/);
  });

  it.each(['toString', 'hasOwnProperty', '__defineGetter__', '__proto__', 'valueOf'])(
    '"%s" in costs is an unknown field',
    (key) => {
      const text = `{"domains":[{"name":"A","ramSize":"512M"}],"steps":[],"costs":{"${key}":1}}`;
      expect(() => parseScenario(text, 'k.json')).toThrow(new RegExp(`costs: unknown field "${key}"`));
    },
  );

  it('a real cost field is still taken', () => {
    const s = parseScenario('{"domains":[{"name":"A","ramSize":"512M"}],"steps":[],"costs":{"load":7}}', 'k.json');
    expect(s.costs.load).toBe(7);
    expect(Object.getPrototypeOf(s.costs)).toBe(Object.prototype);
  });
});
