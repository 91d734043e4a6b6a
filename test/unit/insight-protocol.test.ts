// The insight messages from the webview (elbow, export, view, save with a view) through the
// host's gate: accepted only well-formed, returned as fresh copies, everything else refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebviewMessage, type ResultView, type WebviewMessage } from '../../src/shared/protocol';
import { PANEL_LIMITS, type PanelParams } from '../../src/shared/params';

/** The host's gate: a checked copy of the message, or undefined. */
const validate = (raw: unknown): WebviewMessage | undefined => {
  const r = checkWebviewMessage(raw);
  return r.ok ? r.value : undefined;
};

const params: PanelParams = { colorSpace: 'lab', channels: [1, 2], k: 3, width: 300, nInit: 4, maxIter: 100, seed: 0, format: 'png' };
const view: ResultView = { mode: 'mask', selected: [2], white: false };

const reasonOf = (raw: unknown): string => {
  const r = checkWebviewMessage(raw);
  assert.equal(r.ok, false, `expected a rejection for ${JSON.stringify(raw)}`);
  return (r as { reason: string }).reason;
};

test('elbow and export requests: accepted with valid params, fresh copies without extra fields', () => {
  const raw = { type: 'elbow', requestId: 4, params: { ...params, extra: 1 }, junk: true };
  const msg = validate(raw);
  assert.deepEqual(msg, { type: 'elbow', requestId: 4, params });
  assert.notEqual((msg as { params: PanelParams }).params, raw.params);
  for (const what of ['labels', 'palette'] as const) {
    assert.deepEqual(validate({ type: 'export', requestId: 0, params, what, x: 1 }), { type: 'export', requestId: 0, params, what });
  }
});

test('elbow and export requests: bad ids, params or export kinds are refused', () => {
  for (const type of ['elbow', 'export']) {
    for (const id of [-1, 1.5, '2', null, undefined, 2 ** 60]) {
      assert.equal(validate({ type, requestId: id, params, what: 'labels' }), undefined, `${type} id ${String(id)}`);
    }
    for (const p of [undefined, null, 'all', { ...params, colorSpace: 'rgb' }, { ...params, channels: [] }, { ...params, k: 'x' }]) {
      assert.equal(validate({ type, requestId: 1, params: p, what: 'labels' }), undefined, `${type} params ${JSON.stringify(p)}`);
    }
  }
  for (const what of [undefined, 'mask', 'composite', 'LABELS', '', 1, ['labels'], { toString: () => 'labels' }]) {
    assert.equal(validate({ type: 'export', requestId: 1, params, what }), undefined, `what ${String(what)}`);
  }
  assert.match(reasonOf({ type: 'export', requestId: 1, params, what: '../../etc/passwd' }), /what must be one of labels, palette/);
});

test('view messages: modes, selections and the white flag are checked; selections come back sorted', () => {
  assert.deepEqual(validate({ type: 'view', requestId: 1, view: { mode: 'mask', selected: [3, 0, 1], white: true, x: 1 } }), {
    type: 'view',
    requestId: 1,
    view: { mode: 'mask', selected: [0, 1, 3], white: true },
  });
  for (const mode of ['gray', 'mean', 'mask', 'boundaries'] as const) {
    assert.deepEqual(validate({ type: 'view', requestId: 1, view: { mode, selected: [], white: false } }), {
      type: 'view',
      requestId: 1,
      view: { mode, selected: [], white: false },
    });
  }
  const max = PANEL_LIMITS.k.max;
  const bad: unknown[] = [
    undefined,
    null,
    [],
    'mask',
    { mode: 'MASK', selected: [], white: false },
    { mode: 'outline', selected: [], white: false },
    { mode: 'mask', selected: [0], white: 'yes' },
    { mode: 'mask', selected: [0] },
    { mode: 'mask', selected: [-1], white: false },
    { mode: 'mask', selected: [max], white: false },
    { mode: 'mask', selected: [1.5], white: false },
    { mode: 'mask', selected: ['1'], white: false },
    { mode: 'mask', selected: [NaN], white: false },
    { mode: 'mask', selected: [1, 1], white: false },
    { mode: 'mask', selected: '0', white: false },
    { mode: 'mask', selected: { length: 1, 0: 0 }, white: false },
    { mode: 'mask', selected: Array.from({ length: max + 1 }, (_, i) => i), white: false },
    { mode: 'mask', selected: new Array(1e6).fill(0), white: false },
  ];
  for (const v of bad) assert.equal(validate({ type: 'view', requestId: 1, view: v }), undefined, JSON.stringify(v)?.slice(0, 80));
  assert.match(reasonOf({ type: 'view', requestId: 1, view: { mode: 'mask', selected: [99], white: false } }), /ranks 0 to 15/);
});

test('save: the view is optional; when given it must be valid and is copied', () => {
  assert.deepEqual(validate({ type: 'save', requestId: 2, params }), { type: 'save', requestId: 2, params });
  const raw = { type: 'save', requestId: 2, params, view: { ...view, selected: [2, 0] } };
  const msg = validate(raw) as { view: ResultView };
  assert.deepEqual(msg, { type: 'save', requestId: 2, params, view: { mode: 'mask', selected: [0, 2], white: false } });
  assert.notEqual(msg.view.selected, raw.view.selected);
  assert.equal(validate({ type: 'save', requestId: 2, params, view: null }), undefined);
  assert.equal(validate({ type: 'save', requestId: 2, params, view: { ...view, mode: 'x' } }), undefined);
  assert.match(reasonOf({ type: 'save', requestId: 2, params, view: { ...view, white: 1 } }), /view\.white/);
});
