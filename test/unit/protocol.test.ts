import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkWebviewMessage,
  LIMITS,
  sizePercents,
  validateWebviewMessage,
  type PanelParams,
} from '../../src/shared/protocol';

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

const run = (params: unknown, requestId: unknown = 1): unknown => ({ type: 'run', requestId, params });
const withParam = (key: string, value: unknown): unknown => run({ ...good, [key]: value });
const reasonOf = (raw: unknown): string => {
  const r = checkWebviewMessage(raw);
  assert.equal(r.ok, false, `expected a rejection for ${JSON.stringify(raw)}`);
  return (r as { reason: string }).reason;
};

test('accepts each message type and returns a fresh copy without extra fields', () => {
  assert.deepEqual(validateWebviewMessage({ type: 'ready', extra: '<script>' }), { type: 'ready' });
  const raw = { type: 'run', requestId: 3, params: { ...good, evil: 'x' }, more: 1 };
  const msg = validateWebviewMessage(raw);
  assert.deepEqual(msg, { type: 'run', requestId: 3, params: good });
  assert.notEqual((msg as { params: PanelParams }).params, raw.params);
  assert.notEqual((msg as { params: PanelParams }).params.channels, good.channels);
  assert.deepEqual(validateWebviewMessage({ type: 'save', requestId: 0, params: good }), {
    type: 'save',
    requestId: 0,
    params: good,
  });
});

test('rejects non-objects and unknown or missing types', () => {
  for (const raw of [undefined, null, 42, 'run', [], [{ type: 'ready' }], {}, { type: 'delete' }, { type: 7 }, { type: 'RUN' }]) {
    assert.equal(validateWebviewMessage(raw), undefined, JSON.stringify(raw));
  }
  assert.match(reasonOf({ type: 'deleteAll' }), /unknown message type/);
});

test('rejects bad request ids', () => {
  for (const id of [undefined, null, -1, 1.5, NaN, Infinity, '1', 2 ** 60, {}]) {
    assert.equal(validateWebviewMessage({ type: 'run', requestId: id, params: good }), undefined, String(id));
    assert.equal(validateWebviewMessage({ type: 'save', requestId: id, params: good }), undefined, String(id));
  }
});

test('rejects missing or non-object params for run and save', () => {
  for (const type of ['run', 'save']) {
    for (const params of [undefined, null, 'all', 3, [good]]) {
      assert.equal(validateWebviewMessage({ type, requestId: 1, params }), undefined);
    }
  }
});

test('rejects each missing field', () => {
  for (const key of Object.keys(good)) {
    const p: Record<string, unknown> = { ...good };
    delete p[key];
    assert.equal(validateWebviewMessage(run(p)), undefined, `without ${key}`);
  }
});

test('rejects wrong types, NaN and non-integers in numeric fields', () => {
  for (const key of ['k', 'width', 'nInit', 'maxIter', 'seed']) {
    for (const v of ['3', NaN, Infinity, -Infinity, 2.5, null, true, [3], 1e300, 2 ** 53]) {
      assert.equal(validateWebviewMessage(withParam(key, v)), undefined, `${key}=${String(v)}`);
    }
    assert.match(reasonOf(withParam(key, NaN)), new RegExp(key));
  }
});

test('clamps huge and negative integers into range', () => {
  const big = validateWebviewMessage(run({ ...good, k: 1000, width: 1e9, nInit: 5000, maxIter: 1e7, seed: 2 ** 40 }));
  assert.ok(big && big.type === 'run');
  assert.equal(big.params.k, LIMITS.k.max);
  assert.equal(big.params.width, LIMITS.width.max);
  assert.equal(big.params.nInit, LIMITS.nInit.max);
  assert.equal(big.params.maxIter, LIMITS.maxIter.max);
  assert.equal(big.params.seed, LIMITS.seed.max);
  const small = validateWebviewMessage(run({ ...good, k: -5, width: -1, nInit: 0, maxIter: -9, seed: -3 }));
  assert.ok(small && small.type === 'run');
  assert.deepEqual(
    [small.params.k, small.params.width, small.params.nInit, small.params.maxIter, small.params.seed],
    [2, 0, 1, 1, 0],
  );
});

test('rejects bad colour spaces and formats', () => {
  for (const v of ['rgb', 'HSV', '', 3, null, undefined, ['hsv']]) {
    assert.equal(validateWebviewMessage(withParam('colorSpace', v)), undefined, String(v));
  }
  for (const v of ['gif', 'PNG', 'jpeg', '', 0, null]) {
    assert.equal(validateWebviewMessage(withParam('format', v)), undefined, String(v));
  }
});

test('channels: 1 to 3 distinct indices 0-2, order kept', () => {
  const ok = validateWebviewMessage(withParam('channels', [2, 0]));
  assert.ok(ok && ok.type === 'run');
  assert.deepEqual(ok.params.channels, [2, 0]);
  for (const v of [[], [0, 1, 2, 0], [3], [-1], [0, 0], [1.5], ['0'], '012', 'all', null, [NaN], { 0: 0, length: 1 }]) {
    assert.equal(validateWebviewMessage(withParam('channels', v)), undefined, JSON.stringify(v));
  }
});

test('sizePercents: shares in percent rounded to 0.1, all zero for no pixels', () => {
  assert.deepEqual(sizePercents([500, 300, 200]), [50, 30, 20]);
  assert.deepEqual(sizePercents([1, 2]), [33.3, 66.7]);
  assert.deepEqual(sizePercents([0, 0]), [0, 0]);
});
