/**
 * Hovers on GPA/VA-looking numbers in the configured languages: VLPT PTE address, slot, p2m
 * indices, decoded descriptor and the region of a Xen VA. Work is bounded to the hovered line;
 * command links are trusted by name only.
 */
import * as vscode from 'vscode';
import { describeVa, hex, regionOf, resolveGpa } from '../core/index';
import { escapeMd } from './markdown';
import { Disposable, DisposableValue } from './dispose';
import { HOVER_COMMANDS } from './ids';
import { bareHexLanguage, isAddressContext, numberAt } from './detect';
import { hoverMarkdown } from './markdown';
import { log } from './output';
import type { State } from './state';

export class Hovers extends Disposable implements vscode.HoverProvider {
  private readonly registration = this._register(new DisposableValue<vscode.Disposable>());
  private languages = '';

  constructor(private readonly state: State) {
    super();
    this._register(state.onDidChange(() => this.register()));
    this.register();
  }

  private register(): void {
    const langs = this.state.settings.hoverLanguages;
    if (langs.join(',') === this.languages) return;
    this.languages = langs.join(',');
    this.registration.value = langs.length
      ? vscode.languages.registerHoverProvider(
          langs.map((language) => ({ language })),
          this,
        )
      : undefined;
  }

  async provideHover(
    doc: vscode.TextDocument,
    pos: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const line = doc.lineAt(pos.line).text;
    const found = numberAt(line, pos.character, bareHexLanguage(doc.languageId));
    if (!found) return undefined;
    // contextual (default): only numbers the line says are addresses; eager: every literal
    if (this.state.settings.hoverMode === 'contextual' && !isAddressContext(line, doc.languageId)) return undefined;
    try {
      const m = await this.state.get();
      if (token.isCancellationRequested) return undefined;
      if (!m.emulated) {
        // the open tree is not the 2013 arm32 + seed map: its region, and why nothing more
        const reg = regionOf(m.layout, found.value);
        const md = new vscode.MarkdownString(
          `**Xen Memory · \`${escapeMd(found.text).replace(/`/g, '')}\`** as a Xen VA of ${escapeMd(m.loaded.label)} (${m.loaded.arch}): ${reg ? `${escapeMd(reg.name)} (${hex(reg.start)}–${hex(reg.end)})` : 'no region'}\n\n${escapeMd(m.note ?? '')}`,
        );
        md.isTrusted = false;
        return new vscode.Hover(md, new vscode.Range(pos.line, found.start, pos.line, found.end));
      }
      const { sys, dom } = m.session;
      const md = new vscode.MarkdownString(
        hoverMarkdown({
          text: found.text,
          value: found.value,
          guest: { name: dom.name, ramBase: dom.ramBase, ramSize: dom.ramSize },
          gpa: resolveGpa(sys, dom, 0, found.value),
          va: found.value < 0x1_0000_0000 ? describeVa(sys, dom, 0, found.value) : null,
        }),
      );
      md.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
      md.supportHtml = false;
      return new vscode.Hover(md, new vscode.Range(pos.line, found.start, pos.line, found.end));
    } catch (err) {
      // a hover never shows an error toast; the log keeps the reason
      log(`hover on ${found.text}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
}
