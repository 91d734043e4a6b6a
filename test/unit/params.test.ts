import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSegmentationError } from '../../src/core/errors';
import { parseChannels, parseColorSpace, validateParams } from '../../src/core/params';
import { channelsLabel, DEFAULT_PARAMS, K_WARNING, LIMITS, NUMERIC_PARAMS, PANEL_LIMITS, inRange, mayTakeMoreDigits, readChannels, readColorSpace, readPanelParams, readWhole } from '../../src/shared/params';

function badParam(fn: () => unknown, ...patterns: RegExp[]): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isSegmentationError(e), String(e));
    assert.equal(e.code, 'bad-parameter');
    assert.ok(!e.message.includes('\n'), e.message);
    for (const p of patterns) assert.match(e.message, p);
    return;
  }
  assert.fail('accepted');
}

test('defaults are the seed\'s, with seed 0 and sklearn\'s tol', () => {
  assert.deepEqual(DEFAULT_PARAMS, { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 0, nInit: 40, maxIter: 500, seed: 0, format: 'png' });
  assert.deepEqual(validateParams({}), { params: { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 0, nInit: 40, maxIter: 500, seed: 0, tol: 1e-4 }, warnings: [] });
});

test('parseChannels: all, digits in the order given', () => {
  assert.deepEqual(parseChannels('all', 'bgr'), [0, 1, 2]);
  assert.deepEqual(parseChannels('ALL', 'bgr'), [0, 1, 2]);
  assert.deepEqual(parseChannels('02', 'hsv'), [0, 2]);
  assert.deepEqual(parseChannels('20', 'hsv'), [2, 0]);
  assert.deepEqual(parseChannels('1', 'ycrcb'), [1]);
  assert.deepEqual(parseChannels('210', 'lab'), [2, 1, 0]);
});

test('parseChannels refuses repeats, out of range, empty, junk: naming digits and the space\'s channels', () => {
  for (const bad of ['00', '3', '03', '', '0123', 'x', '0,2', '-1', '1.']) {
    badParam(() => parseChannels(bad, 'hsv'), /channels/, new RegExp(JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), /0-2/, /0=H 1=S 2=V/);
  }
  badParam(() => parseChannels('5', 'ycrcb'), /0=Y 1=Cr 2=Cb/);
  badParam(() => parseChannels('11', 'lab'), /0=L 1=a 2=b/);
});

test('parseColorSpace: any case, ycc alias, unknown refused with the list', () => {
  assert.equal(parseColorSpace('bgr'), 'bgr');
  assert.equal(parseColorSpace('HSV'), 'hsv');
  assert.equal(parseColorSpace('Lab'), 'lab');
  assert.equal(parseColorSpace('YCrCb'), 'ycrcb');
  assert.equal(parseColorSpace('ycc'), 'ycrcb');
  assert.equal(parseColorSpace('YCC'), 'ycrcb');
  for (const bad of ['rgb', 'xyz', '', 'h sv']) badParam(() => parseColorSpace(bad), /color-space/, /bgr, hsv, lab, ycrcb/);
});

test('validateParams: numbers and numeric strings', () => {
  const { params, warnings } = validateParams({
    colorSpace: 'ycc', channels: '12', k: '5', width: '300', nInit: 10, maxIter: '50', seed: '42', tol: '1e-3',
  });
  assert.deepEqual(params, { colorSpace: 'ycrcb', channels: [1, 2], k: 5, width: 300, nInit: 10, maxIter: 50, seed: 42, tol: 1e-3 });
  assert.deepEqual(warnings, []);
  assert.deepEqual(validateParams({ channels: [2, 0] }).params.channels, [2, 0]);
  assert.equal(validateParams({ k: ' 7 ' }).params.k, 7);
  assert.equal(validateParams({ seed: 2 ** 32 - 1 }).params.seed, 2 ** 32 - 1);
  assert.equal(validateParams({ width: 0 }).params.width, 0);
  assert.equal(validateParams({ k: 255 }).params.k, 255);
});

test('k < 2 gives the seed\'s warning and k = 2', () => {
  for (const k of [1, 0, -3, '1']) {
    const r = validateParams({ k });
    assert.equal(r.params.k, 2);
    assert.deepEqual(r.warnings, [K_WARNING]);
  }
  assert.equal(K_WARNING, 'num-clusters < 2 invalid. Using num-clusters = 2');
});

test('every refusal names the parameter, the value and the range', () => {
  badParam(() => validateParams({ k: 2.5 }), /num-clusters/, /2\.5/, /whole number from 2 to 255/);
  badParam(() => validateParams({ k: 256 }), /num-clusters/, /256/, /255/);
  badParam(() => validateParams({ k: 'three' }), /num-clusters/, /"three"/);
  badParam(() => validateParams({ k: '' }), /num-clusters/);
  badParam(() => validateParams({ k: Number.NaN }), /num-clusters/, /NaN/);
  badParam(() => validateParams({ width: -1 }), /width/, /-1/, /0 to 65535/);
  badParam(() => validateParams({ width: 65536 }), /width/, /65536/);
  badParam(() => validateParams({ width: 10.5 }), /width/, /10\.5/);
  badParam(() => validateParams({ width: '12px' }), /width/, /"12px"/);
  badParam(() => validateParams({ nInit: 0 }), /n-init/, /1 to 1000/);
  badParam(() => validateParams({ nInit: 1001 }), /n-init/);
  badParam(() => validateParams({ maxIter: 0 }), /max-iter/, /1 to 100000/);
  badParam(() => validateParams({ maxIter: 100001 }), /max-iter/);
  badParam(() => validateParams({ seed: -1 }), /seed/, /0 to 4294967295/);
  badParam(() => validateParams({ seed: 2 ** 32 }), /seed/);
  badParam(() => validateParams({ seed: 1.5 }), /seed/);
  badParam(() => validateParams({ tol: 0 }), /tol/, /> 0/);
  badParam(() => validateParams({ tol: -1e-4 }), /tol/);
  badParam(() => validateParams({ tol: Infinity }), /tol/);
  badParam(() => validateParams({ tol: 'small' }), /tol/, /"small"/);
  badParam(() => validateParams({ colorSpace: 'rgb' }), /color-space/, /"rgb"/);
  badParam(() => validateParams({ colorSpace: 3 }), /color-space/);
  badParam(() => validateParams({ channels: '33' }), /channels/, /"33"/);
  badParam(() => validateParams({ channels: [0, 0] }), /channels/, /\[0, 0\]/);
  badParam(() => validateParams({ channels: [] }), /channels/);
  badParam(() => validateParams({ channels: [3] }), /channels/);
  badParam(() => validateParams({ channels: 12 }), /channels/, /12/);
  badParam(() => validateParams({ k: true }), /num-clusters/);
});

test('channels are checked against the chosen space\'s names', () => {
  badParam(() => validateParams({ colorSpace: 'lab', channels: '9' }), /0=L 1=a 2=b/);
});

test('channelsLabel: "all" only for 0,1,2 in order', () => {
  assert.equal(channelsLabel([0, 1, 2]), 'all');
  assert.equal(channelsLabel([0, 2]), '02');
  assert.equal(channelsLabel([2, 0]), '20');
  assert.equal(channelsLabel([2, 1, 0]), '210');
  assert.equal(channelsLabel([1]), '1');
});

test('shared readers: one set of rules for the CLI, the settings, the messages and the fields', () => {
  assert.equal(readWhole(12), 12);
  assert.equal(readWhole('12'), undefined, 'text only when asked');
  assert.equal(readWhole(' +12 ', true), 12);
  assert.equal(readWhole('1e2', true), 100);
  for (const bad of [1.5, NaN, Infinity, 1e300, '3 clusters', '', null, undefined, [3]]) assert.equal(readWhole(bad, true), undefined, String(bad));
  assert.deepEqual(readChannels([2, 0]), [2, 0]);
  assert.deepEqual(readChannels(' ALL '), [0, 1, 2]);
  for (const bad of [[], [0, 0], [3], [0, 1, 2, 0], ['0'], 12, '0,1']) {
    assert.equal(readChannels(bad), undefined, JSON.stringify(bad));
  }
  assert.equal(readColorSpace('YCC'), 'ycrcb');
  assert.equal(readColorSpace('rgb'), undefined);
});

test('the panel\'s limits narrow the engine\'s, never widen them', () => {
  for (const key of NUMERIC_PARAMS) {
    assert.ok(PANEL_LIMITS[key].min >= LIMITS[key].min && PANEL_LIMITS[key].max <= LIMITS[key].max, key);
    assert.ok(inRange(DEFAULT_PARAMS[key], PANEL_LIMITS[key]), `default ${key}`);
  }
  // the CLI takes the engine's whole range
  assert.equal(validateParams({ k: LIMITS.k.max, nInit: LIMITS.nInit.max }).params.k, LIMITS.k.max);
  badParam(() => validateParams({ k: LIMITS.k.max + 1 }), /num-clusters 256 invalid: use a whole number from 2 to 255/);
});

test('readPanelParams: a fresh copy of an untrusted object, numbers clamped into the panel\'s limits', () => {
  const given = { ...DEFAULT_PARAMS, k: 99, width: -5, extra: 'ignored', channels: [1, 2] };
  const r = readPanelParams(given);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { ...DEFAULT_PARAMS, k: PANEL_LIMITS.k.max, width: 0, channels: [1, 2] });
  assert.notEqual(r.value.channels, given.channels);
  const inherited = Object.create({ colorSpace: 'bgr' }) as object;
  Object.assign(inherited, { ...DEFAULT_PARAMS, colorSpace: undefined });
  assert.equal(readPanelParams(inherited).ok, false, 'no inherited fields');
  for (const bad of [null, [], 'x', { ...DEFAULT_PARAMS, k: 2.5 }, { ...DEFAULT_PARAMS, format: 'gif' }, { ...DEFAULT_PARAMS, channels: '01' }]) {
    assert.equal(readPanelParams(bad).ok, false, JSON.stringify(bad));
  }
});

test('mayTakeMoreDigits: the panel waits for more typing only while another digit could give a value in range', () => {
  const k = PANEL_LIMITS.k; // 2-16
  // final: no digit after them stays within 2-16 (typed, or stepped with the arrows)
  for (const t of ['2', '3', '4', '9', '10', '12', '16', '17', '99', ' 4 ']) assert.equal(mayTakeMoreDigits(t, k), false, t);
  // "1" may become 10-16, "0" may become 02-09
  for (const t of ['1', '0']) assert.equal(mayTakeMoreDigits(t, k), true, t);
  // not a plain number yet: wait as before
  for (const t of ['', ' ', '-', '-1', '4.', '1e', 'x']) assert.equal(mayTakeMoreDigits(t, k), true, JSON.stringify(t));
  const nInit = PANEL_LIMITS.nInit; // 1-100
  assert.equal(mayTakeMoreDigits('10', nInit), true); // 100
  assert.equal(mayTakeMoreDigits('11', nInit), false); // 110 > 100
  assert.equal(mayTakeMoreDigits('5', nInit), true);
  const width = PANEL_LIMITS.width; // 0-16384
  assert.equal(mayTakeMoreDigits('300', width), true);
  assert.equal(mayTakeMoreDigits('1639', width), false); // 16390 > 16384
  assert.equal(mayTakeMoreDigits('1638', width), true); // 16380-16384
  // a range that starts high: "1" can still reach it with more digits, one more does not
  assert.equal(mayTakeMoreDigits('1', { min: 50, max: 60 }), false);
  assert.equal(mayTakeMoreDigits('5', { min: 50, max: 60 }), true);
});
