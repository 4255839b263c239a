import { readFileSync } from 'node:fs';
import type { CliIo } from './io';
import { json, makeSession, parse, SYSTEM_OPTIONS } from './common';
import { slotsJson } from '../core/format/slots';
import { textTable } from '../core/format/table';
import { InputError } from '../core/errors';
import { parseReg64, type ReadPhys } from '../core/live/decode';
import { compareSlots, SLOT_REPORT_COLUMNS, slotReportRows, WHY_SLOTS_DIFFER } from '../core/live/report';

export const HELP = `xenlens live-report --image PREFIX [--json]
  Emulated 2013 xen_second slots beside a live Xen 4.17 armhf capture (PREFIX.json + PREFIX.bin from scripts/live-capture.py).`;

const MAX_IMAGE = 64 << 20;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse('live-report', args, { ...SYSTEM_OPTIONS, image: { type: 'string' } }, false);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const prefix = values.image;
  if (typeof prefix !== 'string')
    throw new InputError('live-report: --image PREFIX is required (PREFIX.json + PREFIX.bin)');
  let meta: { arch?: string; registers?: Record<string, string>; pages?: string[] };
  let bin: Buffer;
  try {
    meta = JSON.parse(io.readFile(`${prefix}.json`));
    bin = readFileSync(`${prefix}.bin`);
  } catch (e) {
    throw new InputError(
      `live-report: ${prefix}.json/.bin: ${e instanceof Error ? e.message.split('\n')[0] : e} (expected a capture from scripts/live-capture.py)`,
    );
  }
  if (meta.arch !== 'armhf' || !meta.registers?.HTTBR || !Array.isArray(meta.pages))
    throw new InputError(`live-report: ${prefix}.json: expected an armhf capture with registers.HTTBR and pages`);
  if (bin.length > MAX_IMAGE || bin.length !== meta.pages.length * 4096)
    throw new InputError(
      `live-report: ${prefix}.bin: ${bin.length} bytes, expected ${meta.pages.length} pages of 4096 (at most ${MAX_IMAGE})`,
    );
  const index = new Map(meta.pages.map((p, i) => [Number(p), i]));
  const read: ReadPhys = async (addr, len) => {
    const off = addr % 4096;
    const i = index.get(addr - off);
    if (i === undefined || off + len > 4096)
      throw new InputError(`live-report: the capture has no page at ${addr.toString(16)}`);
    return new Uint8Array(bin.subarray(i * 4096 + off, i * 4096 + off + len));
  };
  const rows = await compareSlots(read, parseReg64(meta.registers.HTTBR, 'HTTBR'), slotsJson(makeSession(values)));
  if (values.json) {
    io.out(json(rows));
    return 0;
  }
  io.out(textTable(SLOT_REPORT_COLUMNS, slotReportRows(rows)));
  io.out(WHY_SLOTS_DIFFER);
  return 0;
}
