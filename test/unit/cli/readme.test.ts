// The README is the front door: its bad-input table and its finding reproducers must stay true
// (after msgpack's test/readme.test.ts). Expectations are the README's own hand-written text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

async function run(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  let out = '';
  const err: string[] = [];
  const io: CliIo = {
    out: (s) => (out += s + '\n'),
    err: (s) => err.push(s),
    readFile: () => {
      throw new Error('no files here');
    },
  };
  const code = await main(args, io);
  return { code, out, err };
}

function section(title: string): string {
  const start = readme.indexOf(title);
  expect(start, `README has "${title}"`).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + title.length);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** table rows of a markdown section as cells */
function rows(md: string): string[][] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe('README bad-input table', () => {
  const table = rows(section('### Bad input'));
  it('has rows', () => expect(table.length).toBeGreaterThanOrEqual(6));
  for (const [input, message] of table) {
    const cmds = input!.match(/`([^`]+)`/g)!.map((c) => c.slice(1, -1));
    for (const cmd of cmds) {
      it(`${cmd} exits 2 with the documented line`, async () => {
        const r = await run(cmd.split(/\s+/));
        expect(r.code).toBe(2);
        expect(r.err).toHaveLength(1);
        // the documented text, with … standing for elided parts
        const parts = message!
          .replace(/^`|`$/g, '')
          .split('…')
          .map((p) => p.trim())
          .filter(Boolean);
        for (const p of parts) expect(r.err[0]).toContain(p.replace(/^`|`$/g, ''));
      });
    }
  }
});

describe('README finding reproducers', () => {
  const table = rows(section('## Findings: the patch'));
  for (const [id, repro] of table) {
    const cmds = repro!.match(/`xenlens ([^`]+)`/g)!.map((c) => c.slice('`xenlens '.length, -1));
    it(`${id}: ${cmds[0]} reports it`, async () => {
      const args = cmds[0]!.split(/\s+/);
      const r = await run([...args, '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      if (args[0] === 'resolve') expect(j[0].agrees).toBe(false);
      else expect(j.findings.map((f: { id: string }) => f.id)).toContain(id!.replace(/`/g, ''));
    });
  }
});
