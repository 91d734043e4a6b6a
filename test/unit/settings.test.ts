import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  channelSetting,
  parseChannelSetting,
  readSettings,
  sameSegmentParams,
  SECTION,
  SETTING_DEFAULTS,
  SETTING_KEYS,
  toSegmentParams,
} from '../../src/extension/settingsLogic';
import { validateParams } from '../../src/core/params';

test('no settings at all: the defaults, no warnings', () => {
  const s = readSettings({});
  assert.deepEqual(s.params, {
    colorSpace: 'bgr',
    channels: [0, 1, 2],
    k: 3,
    width: 0,
    nInit: SETTING_DEFAULTS.nInit,
    maxIter: SETTING_DEFAULTS.maxIter,
    seed: 0,
    format: 'png',
  });
  assert.equal(s.batchGlob, SETTING_DEFAULTS.batchGlob);
  assert.equal(s.maxMegapixels, 100);
  assert.deepEqual(s.warnings, []);
});

test('valid values are taken as given', () => {
  const s = readSettings({
    colorSpace: 'LAB',
    channels: '20',
    clusters: 16,
    width: 300,
    nInit: 5,
    maxIter: 100,
    seed: 42,
    outputFormat: 'bmp',
    batchGlob: ' *.png ',
    maxMegapixels: 2.5,
  });
  assert.deepEqual(s.params, { colorSpace: 'lab', channels: [2, 0], k: 16, width: 300, nInit: 5, maxIter: 100, seed: 42, format: 'bmp' });
  assert.equal(s.batchGlob, '*.png');
  assert.equal(s.maxMegapixels, 2.5);
  assert.deepEqual(s.warnings, []);
});

test('each invalid value falls back to its default with a warning naming the setting', () => {
  const cases: [string, unknown][] = [
    ['colorSpace', 'rgb'],
    ['colorSpace', 3],
    ['channels', '3'],
    ['channels', '001'],
    ['channels', 12],
    ['channels', ''],
    ['clusters', 1],
    ['clusters', 17],
    ['clusters', 2.5],
    ['clusters', '4'],
    ['clusters', NaN],
    ['width', -1],
    ['width', 1e9],
    ['nInit', 0],
    ['maxIter', 0],
    ['seed', -1],
    ['seed', 2 ** 33],
    ['outputFormat', 'gif'],
    ['batchGlob', ''],
    ['batchGlob', 5],
    ['maxMegapixels', 0],
    ['maxMegapixels', Infinity],
    ['maxMegapixels', '50'],
  ];
  for (const [key, value] of cases) {
    const s = readSettings({ [key]: value });
    assert.equal(s.warnings.length, 1, `${key}=${String(value)}: ${s.warnings.join(' | ')}`);
    assert.ok(s.warnings[0]!.startsWith(`${SECTION}.${key}: `), s.warnings[0]);
    assert.deepEqual(s, readSettings({ [key]: value }));
    assert.deepEqual(s.params, { ...readSettings({}).params }, `${key} fell back to the defaults`);
  }
});

test('channel strings: all, digits in order, refusals', () => {
  assert.deepEqual(parseChannelSetting('all'), [0, 1, 2]);
  assert.deepEqual(parseChannelSetting(' ALL '), [0, 1, 2]);
  assert.deepEqual(parseChannelSetting('02'), [0, 2]);
  assert.deepEqual(parseChannelSetting('210'), [2, 1, 0]);
  for (const v of ['', '3', '0123', '00', 'a', 2, null]) assert.equal(parseChannelSetting(v), undefined, String(v));
  assert.equal(channelSetting([0, 1, 2]), 'all');
  assert.equal(channelSetting([2, 0]), '20');
});

test('package.json contributes exactly these settings, with these defaults', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
  assert.deepEqual(Object.keys(props).sort(), SETTING_KEYS.map((k) => `${SECTION}.${k}`).sort());
  for (const key of SETTING_KEYS) {
    const p = props[`${SECTION}.${key}`]!;
    assert.deepEqual(p.default, SETTING_DEFAULTS[key], key);
    assert.ok((p.markdownDescription ?? p.description ?? '').length > 10, `${key} is described`);
  }
  assert.deepEqual(props[`${SECTION}.colorSpace`]!.default, 'bgr');
});

test('the engine accepts the parameters settings produce, unchanged', () => {
  const s = readSettings({ colorSpace: 'ycrcb', channels: '12', clusters: 5, width: 120 });
  const engine = validateParams({ ...toSegmentParams(s.params) }).params;
  const mine = toSegmentParams(s.params);
  for (const key of Object.keys(mine) as (keyof typeof mine)[]) assert.deepEqual(engine[key], mine[key], key);
});

test('sameSegmentParams ignores the output format only', () => {
  const a = readSettings({}).params;
  assert.ok(sameSegmentParams(a, { ...a, format: 'jpg' }));
  assert.ok(!sameSegmentParams(a, { ...a, k: 4 }));
  assert.ok(!sameSegmentParams(a, { ...a, channels: [0, 1] }));
});
