// Issue 11: the setup that `npm test` and `npm start` run on a fresh machine. A failed `apt-get update` (one
// index mid-sync on a mirror) is a warning, not the end; a failed install ends in ONE line that says what failed
// and what to do; long steps print progress. apt-get is replaced by a fake that records its calls.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aptInstall, dirBytes, runWithProgress, SetupError } from '../../../scripts/setup-code-server.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'setup-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake apt-get that appends its arguments to calls.txt and exits with the given code per subcommand. */
function fakeApt(name: string, updateRc: number, installRc: number): { aptGet: string; calls: () => string[] } {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const calls = join(dir, 'calls.txt');
  const aptGet = join(dir, 'apt-get');
  writeFileSync(
    aptGet,
    `#!/bin/sh\necho "$*" >> '${calls}'\ncase " $* " in *" update "*) echo 'E: Failed to fetch .../by-hash/SHA256/abc  File has unexpected size' >&2; exit ${updateRc};; esac\necho 'Setting up chromium' \nexit ${installRc}\n`,
  );
  chmodSync(aptGet, 0o755);
  return { aptGet, calls: () => readFileSync(calls, 'utf8').trim().split('\n') };
}

function capture() {
  let text = '';
  return { out: { write: (s: string) => (text += s), isTTY: false }, text: () => text };
}

describe('aptInstall', () => {
  it('a failed apt-get update is a warning: the install still runs, and succeeds', async () => {
    const apt = fakeApt('update-fails', 100, 0);
    const c = capture();
    await aptInstall(['chromium', 'ripgrep'], { aptGet: apt.aptGet, log: join(tmp, 'a.log'), out: c.out, root: true });
    const [update, install] = apt.calls();
    expect(update).toMatch(/ update /);
    expect(update).toContain('DPkg::Lock::Timeout=600');
    expect(install).toMatch(/ install -y -qq chromium ripgrep$/);
    expect(c.text()).toMatch(/^warning: apt-get update exited 100 .*installing from the indexes apt already has$/m);
    expect(readFileSync(join(tmp, 'a.log'), 'utf8')).toContain('File has unexpected size');
  });

  it('a failed install ends in one line naming the packages, the exit code, the log and what to do', async () => {
    const apt = fakeApt('install-fails', 0, 100);
    const c = capture();
    const err = await aptInstall(['chromium'], {
      aptGet: apt.aptGet,
      log: join(tmp, 'b.log'),
      out: c.out,
      root: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(
      /^setup: apt-get install chromium exited 100 \(log: .*b\.log\); install them yourself \(apt-get install chromium\)/,
    );
    expect(msg).toMatch(/run `npm run setup:vscode` again$/);
    expect(c.text()).not.toMatch(/^warning/m);
    expect(c.text()).toContain('| Setting up chromium'); // the log's tail is shown above the one line
  });

  it('when update and install both fail, the line says the apt sources need fixing', async () => {
    const apt = fakeApt('both-fail', 100, 100);
    const err = await aptInstall(['chromium'], {
      aptGet: apt.aptGet,
      log: join(tmp, 'c.log'),
      out: capture().out,
      root: true,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /exited 100 .*; apt-get update failed too \(exit 100\): fix the apt sources/,
    );
  });

  it('a missing apt-get command is a failed step with exit 127, not a crash', async () => {
    const err = await aptInstall(['chromium'], {
      aptGet: join(tmp, 'no-such-apt-get'),
      log: join(tmp, 'd.log'),
      out: capture().out,
      root: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/^setup: apt-get install chromium exited 127 /);
  });
});

describe('progress of long steps', () => {
  it('prints "<what>: <progress>, <elapsed> s" while the command runs', async () => {
    const c = capture();
    let n = 0;
    const rc = await runWithProgress('installing thing 1.2.3', 'sh', ['-c', 'sleep 0.5; exit 3'], {
      log: join(tmp, 'p.log'),
      out: c.out,
      everyMs: 100,
      progress: () => `${(n += 10)} MB`,
    });
    expect(rc).toBe(3);
    const lines = c.text().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3); // 0.5 s at one line per 0.1 s, with slack for a busy machine
    expect(lines[0]).toBe('installing thing 1.2.3: 10 MB, 0 s');
    expect(lines[1]).toBe('installing thing 1.2.3: 20 MB, 0 s');
  });

  it('counts the bytes of the files under a folder (what the MB figure is)', () => {
    const d = join(tmp, 'sized');
    mkdirSync(join(d, 'a', 'b'), { recursive: true });
    writeFileSync(join(d, 'one'), Buffer.alloc(1000));
    writeFileSync(join(d, 'a', 'b', 'two'), Buffer.alloc(2345));
    expect(dirBytes(d)).toBe(3345); // 1000 + 2345
    expect(dirBytes(join(tmp, 'absent'))).toBe(0);
  });
});
