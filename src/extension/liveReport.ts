/**
 * "Xen Memory: Compare Emulation with Live Xen": the emulated 2013 boot tables' xen_second slots beside the
 * running Xen's (issue 14 item 4), as a Markdown document fit for a xen-devel reply — the same rows as
 * `xenlens live-report`, read through the attached session.
 */
import * as vscode from 'vscode';
import { markdownTable } from '../core/index';
import { SLOT_REPORT_COLUMNS, slotReportRows, WHY_SLOTS_DIFFER } from '../core/live/report';
import { LIVE_CMD } from './ids';
import type { Live } from './live';
import { registerReportingCommand } from './output';
import type { State } from './state';

export function registerLiveReport(live: Live, state: State): vscode.Disposable {
  return registerReportingCommand(LIVE_CMD.report, async () => {
    const m = await state.get();
    const { label, rows } = await live.slotReport(m.slots);
    const table = slotReportRows(rows);
    const differ = table.filter((r) => r[6] === 'differs').length;
    const content = [
      `# xen_second: emulated 2013 model vs live Xen (${label})`,
      '',
      `Emulated: ${m.layout.source}, ${m.settings.tree}; live: the running Xen's tables read through the debug session. ${differ} run(s) of slots differ.`,
      '',
      markdownTable(SLOT_REPORT_COLUMNS, table),
      '',
      WHY_SLOTS_DIFFER,
      '',
    ].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.window.showTextDocument(doc, { preview: false });
  });
}
