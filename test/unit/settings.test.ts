import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readSettings, SECTION, SETTING_DEFAULTS, SETTING_KEYS } from '../../src/extension/settings/readSettings';
import { validateParams } from '../../src/core/params';
import { COLOR_SPACES, PANEL_LIMITS, segmentKey, type PanelParams } from '../../src/shared/params';
import { OUTPUT_FORMATS } from '../../src/shared/formats';

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

test('package.json states the panel\'s limits and the shared lists for each setting', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const props = pkg.contributes.configuration.properties as Record<string, { minimum?: number; maximum?: number; enum?: string[] }>;
  const numeric = { clusters: 'k', width: 'width', nInit: 'nInit', maxIter: 'maxIter', seed: 'seed' } as const;
  for (const [key, param] of Object.entries(numeric)) {
    const p = props[`${SECTION}.${key}`]!;
    assert.deepEqual({ min: p.minimum, max: p.maximum }, PANEL_LIMITS[param], key);
    // readSettings accepts exactly that range
    assert.equal(readSettings({ [key]: PANEL_LIMITS[param].max }).warnings.length, 0, key);
    assert.equal(readSettings({ [key]: PANEL_LIMITS[param].max + 1 }).warnings.length, 1, key);
  }
  assert.deepEqual(props[`${SECTION}.colorSpace`]!.enum, [...COLOR_SPACES]);
  assert.deepEqual(props[`${SECTION}.outputFormat`]!.enum, [...OUTPUT_FORMATS]);
});

test('the engine accepts the parameters settings produce, unchanged', () => {
  const s = readSettings({ colorSpace: 'ycrcb', channels: '12', clusters: 5, width: 120 });
  const engine = validateParams({ ...s.params }).params;
  for (const key of ['colorSpace', 'channels', 'k', 'width', 'nInit', 'maxIter', 'seed'] as const) assert.deepEqual(engine[key], s.params[key], key);
});

test('segmentKey ignores the output format only', () => {
  const a = readSettings({}).params;
  const jpg: PanelParams = { ...a, format: 'jpg' };
  assert.equal(segmentKey(a), segmentKey(jpg));
  assert.notEqual(segmentKey(a), segmentKey({ ...a, k: 4 }));
  assert.notEqual(segmentKey(a), segmentKey({ ...a, channels: [0, 1] }));
  assert.notEqual(segmentKey(a), segmentKey({ ...a, channels: [1, 0] }));
});
