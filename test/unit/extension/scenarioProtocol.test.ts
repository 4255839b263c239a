// Messages of the Scenario webview view, validated on both sides.
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../../src/core/index';
import { stepModel, traceScenario } from '../../../src/extension/scenarioTrace';
import { isFromScenarioWebview, isToScenarioWebview } from '../../../src/webview/scenarioProtocol';

describe('webview → host', () => {
  it('accepts exactly the protocol', () => {
    for (const ok of [
      { type: 'ready' },
      { type: 'command', command: 'forward' },
      { type: 'command', command: 'back' },
      { type: 'command', command: 'pick' },
      { type: 'command', command: 'continue' },
      { type: 'command', command: 'restart' },
      { type: 'command', command: 'showMap' },
      { type: 'builtin', name: 'two-domains-two-pcpus' },
      { type: 'goto', step: 0 },
      { type: 'goto', step: 4 },
      { type: 'focus', focused: true },
      { type: 'focus', focused: false },
    ])
      expect(isFromScenarioWebview(ok), JSON.stringify(ok)).toBe(true);
  });
  it('rejects everything else', () => {
    for (const bad of [
      null,
      'ready',
      [],
      { type: 'ready', x: 1 },
      { type: 'command' },
      { type: 'command', command: 'rm -rf' },
      { type: 'command', command: 'forward', extra: true },
      { type: 'builtin', name: '../../etc/passwd' },
      { type: 'builtin', name: 'a'.repeat(65) },
      { type: 'builtin', name: 7 },
      { type: 'goto', step: -1 },
      { type: 'goto', step: 1.5 },
      { type: 'goto', step: '4' },
      { type: 'goto', step: 10_000 },
      { type: 'focus', focused: 'yes' },
      { type: 'focus' },
      { type: 'run', command: 'workbench.action.terminal.new' },
    ])
      expect(isFromScenarioWebview(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('host → webview', () => {
  const t = traceScenario(builtinScenario('two-domains-two-pcpus'), 'built-in');
  const m = stepModel(t, 4);
  it('accepts real step models and the empty state', () => {
    expect(isToScenarioWebview({ type: 'step', model: m })).toBe(true);
    expect(isToScenarioWebview({ type: 'step', model: stepModel(t, -1) })).toBe(true);
    expect(isToScenarioWebview({ type: 'empty', builtins: ['two-domains-two-pcpus'] })).toBe(true);
  });
  it('rejects malformed models', () => {
    const bad = [
      { ...m, pos: 7 },
      { ...m, pos: -2 },
      { ...m, step: null },
      { ...m, highlight: [1024] },
      { ...m, slots: [{ slot: 66, before: '<img>', after: '0x0' }] },
      { ...m, domains: [{ ...m.domains[0]!, pages: [{ gpa: '0x80001000', state: 'dirty' }] }] },
      { ...m, findings: [{ ...m.findings[0]!, severity: 'fatal' }] },
      { ...m, cpus: [{ ...m.cpus[0]!, window: [{ va: 'javascript:', size: '0x1000', pa: '', readOnly: false }] }] },
      { ...m, notes: 'a note' },
    ];
    for (const b of bad) expect(isToScenarioWebview({ type: 'step', model: b })).toBe(false);
    expect(isToScenarioWebview({ type: 'step', model: m, extra: 1 })).toBe(false);
    expect(isToScenarioWebview({ type: 'empty', builtins: ['<script>'] })).toBe(false);
    expect(isToScenarioWebview({ type: 'model', model: m })).toBe(false);
  });
});
