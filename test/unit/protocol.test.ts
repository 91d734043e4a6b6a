import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebviewMessage, sizePercents, type WebviewMessage } from '../../src/shared/protocol';
import { PANEL_LIMITS, type PanelParams } from '../../src/shared/params';

/** The host's gate: a checked copy of the message, or undefined. */
const validate = (raw: unknown): WebviewMessage | undefined => {
  const r = checkWebviewMessage(raw);
  return r.ok ? r.value : undefined;
};

const good: PanelParams = {
  colorSpace: 'hsv',
  channels: [0, 2],
  k: 4,
  width: 300,
  nInit: 10,
  maxIter: 300,
  seed: 7,
  format: 'jpg',
};

const GRAY = { mode: 'gray', selected: [], white: false };
const run = (params: unknown, requestId: unknown = 1): unknown => ({ type: 'run', requestId, params, view: GRAY });
const withParam = (key: string, value: unknown): unknown => run({ ...good, [key]: value });
const reasonOf = (raw: unknown): string => {
  const r = checkWebviewMessage(raw);
  assert.equal(r.ok, false, `expected a rejection for ${JSON.stringify(raw)}`);
  return (r as { reason: string }).reason;
};

test('accepts each message type and returns a fresh copy without extra fields', () => {
  assert.deepEqual(validate({ type: 'ready', extra: '<script>' }), { type: 'ready' });
  const raw = { type: 'run', requestId: 3, params: { ...good, evil: 'x' }, view: { ...GRAY, extra: 1 }, more: 1 };
  const msg = validate(raw);
  assert.deepEqual(msg, { type: 'run', requestId: 3, params: good, view: GRAY });
  assert.notEqual((msg as { params: PanelParams }).params, raw.params);
  assert.notEqual((msg as { params: PanelParams }).params.channels, good.channels);
  assert.deepEqual(validate({ type: 'save', requestId: 0, params: good }), {
    type: 'save',
    requestId: 0,
    params: good,
  });
});

test('rejects non-objects and unknown or missing types', () => {
  for (const raw of [undefined, null, 42, 'run', [], [{ type: 'ready' }], {}, { type: 'delete' }, { type: 7 }, { type: 'RUN' }]) {
    assert.equal(validate(raw), undefined, JSON.stringify(raw));
  }
  assert.match(reasonOf({ type: 'deleteAll' }), /unknown message type/);
});

test('rejects bad request ids', () => {
  for (const id of [undefined, null, -1, 1.5, NaN, Infinity, '1', 2 ** 60, {}]) {
    assert.equal(validate({ type: 'run', requestId: id, params: good, view: GRAY }), undefined, String(id));
    assert.equal(validate({ type: 'save', requestId: id, params: good }), undefined, String(id));
  }
});

test('rejects missing or non-object params for run and save', () => {
  for (const type of ['run', 'save']) {
    for (const params of [undefined, null, 'all', 3, [good]]) {
      assert.equal(validate({ type, requestId: 1, params }), undefined);
    }
  }
});

test('rejects each missing field', () => {
  for (const key of Object.keys(good)) {
    const p: Record<string, unknown> = { ...good };
    delete p[key];
    assert.equal(validate(run(p)), undefined, `without ${key}`);
  }
});

test('rejects wrong types, NaN and non-integers in numeric fields', () => {
  for (const key of ['k', 'width', 'nInit', 'maxIter', 'seed']) {
    for (const v of ['3', NaN, Infinity, -Infinity, 2.5, null, true, [3], 1e300, 2 ** 53]) {
      assert.equal(validate(withParam(key, v)), undefined, `${key}=${String(v)}`);
    }
    assert.match(reasonOf(withParam(key, NaN)), new RegExp(key));
  }
});

test('clamps huge and negative integers into range', () => {
  const big = validate(run({ ...good, k: 1000, width: 1e9, nInit: 5000, maxIter: 1e7, seed: 2 ** 40 }));
  assert.ok(big && big.type === 'run');
  assert.equal(big.params.k, PANEL_LIMITS.k.max);
  assert.equal(big.params.width, PANEL_LIMITS.width.max);
  assert.equal(big.params.nInit, PANEL_LIMITS.nInit.max);
  assert.equal(big.params.maxIter, PANEL_LIMITS.maxIter.max);
  assert.equal(big.params.seed, PANEL_LIMITS.seed.max);
  const small = validate(run({ ...good, k: -5, width: -1, nInit: 0, maxIter: -9, seed: -3 }));
  assert.ok(small && small.type === 'run');
  assert.deepEqual(
    [small.params.k, small.params.width, small.params.nInit, small.params.maxIter, small.params.seed],
    [2, 0, 1, 1, 0],
  );
});

test('rejects bad colour spaces and formats', () => {
  for (const v of ['rgb', 'HSV', '', 3, null, undefined, ['hsv']]) {
    assert.equal(validate(withParam('colorSpace', v)), undefined, String(v));
  }
  for (const v of ['gif', 'PNG', 'jpeg', '', 0, null]) {
    assert.equal(validate(withParam('format', v)), undefined, String(v));
  }
});

test('channels: 1 to 3 distinct indices 0-2, order kept', () => {
  const ok = validate(withParam('channels', [2, 0]));
  assert.ok(ok && ok.type === 'run');
  assert.deepEqual(ok.params.channels, [2, 0]);
  for (const v of [[], [0, 1, 2, 0], [3], [-1], [0, 0], [1.5], ['0'], '012', 'all', null, [NaN], { 0: 0, length: 1 }]) {
    assert.equal(validate(withParam('channels', v)), undefined, JSON.stringify(v));
  }
});

test('sizePercents: shares in percent rounded to 0.1, all zero for no pixels', () => {
  assert.deepEqual(sizePercents([500, 300, 200]), [50, 30, 20]);
  assert.deepEqual(sizePercents([1, 2]), [33.3, 66.7]);
  assert.deepEqual(sizePercents([0, 0]), [0, 0]);
});

test('tiles, the pixel inspector and views: checked fields, sizes within the limits, nothing else', () => {
  const tile = { type: 'tile', requestId: 4, resultId: 2, part: 'right', rect: { x: 0, y: 10, width: 2000, height: 1500 }, scale: 1, view: GRAY };
  assert.deepEqual(validate({ ...tile, extra: 1 }), tile);
  assert.deepEqual(validate({ ...tile, highlight: 3 }), { ...tile, highlight: 3 });
  // 2000 x 1500 at scale 1 is 3 MP; 4000 x 3000 is 12 MP, over the limit at full resolution but not at half.
  const big = { ...tile, rect: { x: 0, y: 0, width: 4000, height: 3000 } };
  assert.equal(validate(big), undefined);
  assert.ok(validate({ ...big, scale: 0.5 }));
  for (const rect of [{ x: -1, y: 0, width: 1, height: 1 }, { x: 0, y: 0, width: 0, height: 1 }, { x: 0.5, y: 0, width: 1, height: 1 }, { x: 0, y: 0, width: 2 ** 21, height: 1 }, [0, 0, 1, 1]]) {
    assert.equal(validate({ ...tile, rect }), undefined, JSON.stringify(rect));
  }
  for (const scale of [0, -1, 1.01, NaN, '1']) assert.equal(validate({ ...tile, scale }), undefined, String(scale));
  for (const part of ['left', '', 1, undefined]) assert.equal(validate({ ...tile, part }), undefined, String(part));
  for (const highlight of [-1, 16, 1.5, '2', null]) assert.equal(validate({ ...tile, highlight }), undefined, String(highlight));

  const inspect = { type: 'inspect', requestId: 9, resultId: 2, x: 5999, y: 0 };
  assert.deepEqual(validate({ ...inspect, z: 1 }), inspect);
  for (const [x, y] of [[-1, 0], [0, 1.5], [NaN, 0], [2 ** 20, 0], ['3', 4]]) assert.equal(validate({ ...inspect, x, y }), undefined, `${x},${y}`);

  assert.deepEqual(validate({ type: 'view', requestId: 1, view: GRAY, highlight: 0 }), { type: 'view', requestId: 1, view: GRAY, highlight: 0 });
  assert.equal(validate({ type: 'view', view: GRAY }), undefined, 'a view needs a request id (its answer names it)');
  assert.equal(validate({ type: 'run', requestId: 1, params: good }), undefined, 'a run says how to show its result');
  assert.deepEqual(validate({ type: 'ready', displayMax: 99999 }), { type: 'ready', displayMax: 2048 }, 'clamped');
  assert.deepEqual(validate({ type: 'ready', displayMax: 3 }), { type: 'ready', displayMax: 256 });
  assert.equal(validate({ type: 'ready', displayMax: '1024' }), undefined);
});
