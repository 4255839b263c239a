// Issue 11: `npm install` must leave the work tree clean. npm rewrites package-lock.json whenever its root
// entry disagrees with package.json (a dependency range or `engines` edited by hand without `npm install`),
// or when the lockfile's format depends on the user's npmrc. Both are checked here, without running npm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));

describe('package-lock.json agrees with package.json', () => {
  const top = lock.packages[''];
  it('name and version', () => {
    expect(lock.name).toBe(pkg.name);
    expect(top.name).toBe(pkg.name);
    expect(top.version).toBe(pkg.version);
  });
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'engines', 'bin'] as const) {
    it(`${key} (edit package.json, then run npm install and commit both)`, () => {
      expect(top[key] ?? {}).toEqual(pkg[key] ?? {});
    });
  }
  it('every devDependency is locked', () => {
    for (const name of Object.keys(pkg.devDependencies))
      expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
  });
  it('has no registry URLs, and the project .npmrc keeps it so whatever the user npmrc says', () => {
    expect(JSON.stringify(lock)).not.toContain('"resolved"');
    expect(readFileSync(join(root, '.npmrc'), 'utf8')).toMatch(/^omit-lockfile-registry-resolved=true$/m);
  });
});
