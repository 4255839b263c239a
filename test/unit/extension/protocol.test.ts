import { describe, expect, it } from 'vitest';
import { isFromWebview, isToWebview } from '../../../src/webview/protocol';
import { findingAnchors, isVlptPatch } from '../../../src/extension/findingAnchors';
import { createSession } from '../../../src/core/index';

describe('webview messages are validated', () => {
  it('accepts exactly the protocol', () => {
    expect(isFromWebview({ type: 'ready' })).toBe(true);
    expect(isFromWebview({ type: 'openRegion', name: 'VIRT_LIN_P2M' })).toBe(true);
  });
  it('rejects everything else', () => {
    for (const bad of [
      null,
      'ready',
      [],
      { type: 'ready', x: 1 },
      { type: 'openRegion' },
      { type: 'openRegion', name: '../../etc' },
      { type: 'openRegion', name: 'A'.repeat(65) },
      { type: 'run', cmd: 'x' },
    ])
      expect(isFromWebview(bad), JSON.stringify(bad)).toBe(false);
  });
  it('host → webview model guard', () => {
    const model = {
      source: 's',
      guest: 'g',
      scale: 'readable',
      usedSlots: [66],
      findingSlots: [],
      vlpt: { start: 0x08000000, end: 0x10000000 },
      regions: [{ name: 'X', start: 0, end: 4096, description: '' }],
    };
    expect(isToWebview({ type: 'model', model })).toBe(true);
    expect(isToWebview({ type: 'model', model: { ...model, usedSlots: [2000] } })).toBe(false);
    expect(isToWebview({ type: 'model', model: { ...model, scale: 'big' } })).toBe(false);
    // the live xen_second's slots (issue 14): label, slots below 1024, a note; nothing else
    const live = { label: 'live · 127.0.0.1:1234', slots: [1, 2, 16, 128], note: '' };
    expect(isToWebview({ type: 'model', model: { ...model, live } })).toBe(true);
    expect(isToWebview({ type: 'model', model: { ...model, live: null } })).toBe(true);
    expect(isToWebview({ type: 'model', model: { ...model, live: { ...live, slots: [1024] } } })).toBe(false);
    expect(isToWebview({ type: 'model', model: { ...model, live: { ...live, note: 'x'.repeat(401) } } })).toBe(false);
    expect(isToWebview({ type: 'model', model: { ...model, live: { ...live, extra: 1 } } })).toBe(false);
    expect(isToWebview({ type: 'model', model: { ...model, live: { label: 'l', slots: [] } } })).toBe(false);
  });
});

describe('findings anchored in a patch', () => {
  const patch = [
    'diff --git a/xen/arch/arm/mm.c b/xen/arch/arm/mm.c',
    '+++ b/xen/arch/arm/mm.c',
    '+int prepare_vlpt(struct domain *d)',
    '+    gp2m_end_index = (gma_end >> FIRST_SHIFT) + 1;',
    '+    flush_xen_data_tlb_range_va(d->arch.dirty.second_lvl_start << SECOND_SHIFT,',
  ].join('\n');
  it('puts each finding of the default guest on its code line', () => {
    const s = createSession();
    expect(isVlptPatch(patch)).toBe(true);
    const a = findingAnchors(patch, 'patch', s.findings);
    const byId = Object.fromEntries(a.map((x) => [x.finding.id, x.line]));
    expect(byId['shared-table-local-flush']).toBe(4);
    expect(a.length).toBe(s.findings.length);
  });
  it('a header gets only window findings, at the #define', () => {
    const s = createSession({ ramBase: 0x80000000, ramSize: 63 * 2 ** 30 });
    const h = '/* map */\n#define VIRT_LIN_P2M_START 0x08000000\n#define VIRT_LIN_P2M_END VMAP_VIRT_START\n';
    const a = findingAnchors(h, 'header', s.findings);
    expect(a.some((x) => x.finding.id === 'window-overrun' && x.line === 2)).toBe(true);
  });
});
