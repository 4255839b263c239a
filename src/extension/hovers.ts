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
import type { Live } from './live';
import { liveHover } from './liveHover';

/** a live hover never waits longer than this for the target's memory */
const LIVE_HOVER_MS = 4000;

export class Hovers extends Disposable implements vscode.HoverProvider {
  private readonly registration = this._register(new DisposableValue<vscode.Disposable>());
  private languages = '';

  constructor(
    private readonly state: State,
    private readonly live?: Live,
  ) {
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
      // while a Xen is attached (and paused), the GPA through its real p2m first; nothing is awaited otherwise
      const cur = this.live?.current;
      const livePart = !cur
        ? ''
        : this.live!.running
          ? '**Xen Memory · live**: the target is running; pause it to resolve this GPA through its p2m\n\n---\n\n'
          : await this.livePart(cur, found.text, found.value);
      const m = await this.state.get();
      if (token.isCancellationRequested) return undefined;
      if (!m.emulated) {
        // the open tree is not the 2013 arm32 + seed map: its region, and why nothing more
        const reg = regionOf(m.layout, found.value);
        const md = new vscode.MarkdownString(
          livePart +
            `**Xen Memory · \`${escapeMd(found.text).replace(/`/g, '')}\`** as a Xen VA of ${escapeMd(m.loaded.label)} (${m.loaded.arch}): ${reg ? `${escapeMd(reg.name)} (${hex(reg.start)}–${hex(reg.end)})` : 'no region'}\n\n${escapeMd(m.note ?? '')}`,
        );
        md.isTrusted = false;
        return new vscode.Hover(md, new vscode.Range(pos.line, found.start, pos.line, found.end));
      }
      const { sys, dom } = m.session;
      const md = new vscode.MarkdownString(
        livePart +
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

  /** the live section (Markdown + a rule), or a line saying why it is missing; bounded by LIVE_HOVER_MS */
  private async livePart(cur: NonNullable<Live['current']>, text: string, value: number): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`live: no answer from the target in ${LIVE_HOVER_MS / 1000} s`), LIVE_HOVER_MS);
    });
    try {
      const md = await Promise.race([
        liveHover(cur, text, value).catch(
          (err) => `live: ${escapeMd(err instanceof Error ? err.message : String(err))}`,
        ),
        timeout,
      ]);
      return md ? `${md}\n\n---\n\n` : '';
    } finally {
      clearTimeout(timer);
    }
  }
}
