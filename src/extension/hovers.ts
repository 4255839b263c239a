/**
 * Hovers on GPA/VA-looking numbers in the configured languages: VLPT PTE address, slot, p2m
 * indices, decoded descriptor and the region of a Xen VA. Work is bounded to the hovered line;
 * command links are trusted by name only.
 */
import * as vscode from 'vscode';
import { describeVa, resolveGpa } from '../core/index';
import { Disposable, DisposableValue } from './dispose';
import { HOVER_COMMANDS } from './ids';
import { bareHexLanguage, numberAt } from './detect';
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
    try {
      const m = await this.state.get();
      if (token.isCancellationRequested) return undefined;
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
