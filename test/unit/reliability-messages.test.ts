// Hostile messages from the webview: every message type with every field replaced by wrong
// types, missing values, huge/NaN/Infinity/negative numbers, long strings and prototype keys,
// plus a seeded fuzz and a flood. The host's gate must never throw, and whatever it lets through
// must be a fresh, well-formed message within the parameter limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPORT_WHATS, RESULT_MODE_IDS, checkWebviewMessage, type ResultView, type WebviewMessage } from '../../src/shared/protocol';

/** The host's gate: a checked copy of the message, or undefined. */
const validate = (raw: unknown): WebviewMessage | undefined => {
  const r = checkWebviewMessage(raw);
  return r.ok ? r.value : undefined;
};
import { prng } from '../stress/corpus';
import { COLOR_SPACES, PANEL_LIMITS, type PanelParams } from '../../src/shared/params';
import { OUTPUT_FORMATS } from '../../src/shared/formats';

const good: PanelParams = { colorSpace: 'lab', channels: [1, 2], k: 5, width: 200, nInit: 10, maxIter: 300, seed: 42, format: 'png' };
const PARAM_KEYS = Object.keys(good) as (keyof PanelParams)[];
const goodView: ResultView = { mode: 'mask', selected: [0, 3], white: true };
/** One sound message of every type the webview sends. */
const BASES: Record<string, Record<string, unknown>> = {
  ready: { type: 'ready' },
  'ready+display': { type: 'ready', displayMax: 1024 },
  run: { type: 'run', requestId: 7, params: good, view: goodView },
  save: { type: 'save', requestId: 7, params: good },
  'save+view': { type: 'save', requestId: 7, params: good, view: goodView },
  elbow: { type: 'elbow', requestId: 7, params: good },
  export: { type: 'export', requestId: 7, params: good, what: 'palette' },
  view: { type: 'view', requestId: 7, view: goodView },
  'view+highlight': { type: 'view', requestId: 7, view: goodView, highlight: 2 },
  tile: { type: 'tile', requestId: 7, resultId: 3, part: 'both', rect: { x: 10, y: 20, width: 300, height: 200 }, scale: 1, view: goodView },
  inspect: { type: 'inspect', requestId: 7, resultId: 3, x: 5, y: 6 },
  sweep: { type: 'sweep', requestId: 7, params: good, axis: 'channels' },
  copyCommand: { type: 'copyCommand', params: good, view: goodView },
  batch: { type: 'batch', params: good },
};
const LONG = 'x'.repeat(1 << 20);

const nullProto = (): object => Object.create(null) as object;
const throwingToString = { toString: (): never => { throw new Error('toString called'); } };

/** Values no field should accept as they are (some numbers are clamped, which the checks allow). */
const HOSTILE: unknown[] = [
  undefined, null, NaN, Infinity, -Infinity, -1, -0.5, 0.5, 1.5, 1e308, -1e308, 2 ** 53, -(2 ** 53), 2 ** 32,
  Number.MAX_VALUE, Number.MIN_VALUE, '3', '', 'bgr ', 'BGR', LONG, true, false, [], [0, 0], [0, 1, 2, 3], [-1], ['0'], [NaN],
  {}, { length: 2 }, nullProto(), throwingToString, Symbol('s'), 10n, () => 1, new Date(0), /x/,
  JSON.parse('{"__proto__": {"k": 5}}'), new Uint8Array(3),
];

/** Checks an accepted message against the protocol's invariants. */
function assertWellFormed(msg: WebviewMessage, raw: unknown): void {
  assert.ok(msg !== raw, 'a fresh object');
  assert.equal(Object.getPrototypeOf(msg), Object.prototype);
  if (msg.type === 'ready') {
    assert.ok(Object.keys(msg).every((k) => k === 'type' || k === 'displayMax'));
    if (msg.displayMax !== undefined) assert.ok(Number.isInteger(msg.displayMax) && msg.displayMax >= 256 && msg.displayMax <= 2048);
    return;
  }
  const view = (msg as { view?: ResultView }).view;
  if (view !== undefined) {
    assert.deepEqual(Object.keys(view).sort(), ['mode', 'selected', 'white']);
    assert.ok(RESULT_MODE_IDS.includes(view.mode));
    assert.equal(typeof view.white, 'boolean');
    assert.ok(Array.isArray(view.selected) && view.selected.length <= PANEL_LIMITS.k.max);
    view.selected.forEach((r, i) => assert.ok(Number.isInteger(r) && r >= 0 && r < PANEL_LIMITS.k.max && (i === 0 || r > view.selected[i - 1]!)));
  }
  const highlight = (msg as { highlight?: number }).highlight;
  if (highlight !== undefined) assert.ok(Number.isInteger(highlight) && highlight >= 0 && highlight < PANEL_LIMITS.k.max);
  if (msg.type === 'view') {
    assert.ok(view);
    assert.ok(Number.isSafeInteger(msg.requestId) && msg.requestId >= 0);
    assert.deepEqual(Object.keys(msg).filter((k) => k !== 'highlight').sort(), ['requestId', 'type', 'view']);
    return;
  }
  if (msg.type === 'tile' || msg.type === 'inspect') {
    for (const v of [msg.requestId, msg.resultId]) assert.ok(Number.isSafeInteger(v) && v >= 0);
    if (msg.type === 'inspect') {
      for (const v of [msg.x, msg.y]) assert.ok(Number.isSafeInteger(v) && v >= 0);
      return;
    }
    const { x, y, width, height } = msg.rect;
    assert.deepEqual(Object.keys(msg.rect).sort(), ['height', 'width', 'x', 'y']);
    for (const v of [x, y]) assert.ok(Number.isSafeInteger(v) && v >= 0);
    for (const v of [width, height]) assert.ok(Number.isSafeInteger(v) && v >= 1);
    assert.ok(msg.scale > 0 && msg.scale <= 1);
    assert.ok(Math.ceil(width * msg.scale) * Math.ceil(height * msg.scale) <= 6_000_000, 'a tile within the pixel limit');
    assert.ok(['both', 'original', 'right'].includes(msg.part));
    return;
  }
  assert.ok(['run', 'save', 'elbow', 'export', 'sweep', 'copyCommand', 'batch'].includes(msg.type));
  if (msg.type === 'export') assert.ok(EXPORT_WHATS.includes(msg.what));
  if (msg.type === 'sweep') assert.ok(['channels', 'k', 'none'].includes(msg.axis));
  if (msg.type !== 'copyCommand' && msg.type !== 'batch') assert.ok(Number.isSafeInteger(msg.requestId) && msg.requestId >= 0);
  const p = msg.params;
  assert.deepEqual(Object.keys(p).sort(), [...PARAM_KEYS].sort());
  assert.ok(COLOR_SPACES.includes(p.colorSpace));
  assert.ok(OUTPUT_FORMATS.includes(p.format));
  assert.ok(Array.isArray(p.channels) && p.channels.length >= 1 && p.channels.length <= 3);
  assert.equal(new Set(p.channels).size, p.channels.length);
  for (const c of p.channels) assert.ok(c === 0 || c === 1 || c === 2);
  for (const key of Object.keys(PANEL_LIMITS) as (keyof typeof PANEL_LIMITS)[]) {
    const v = p[key];
    assert.ok(Number.isSafeInteger(v) && v >= PANEL_LIMITS[key].min && v <= PANEL_LIMITS[key].max, `${key} = ${String(v)}`);
  }
}

/** Runs the gate on one message: never throws; returns whether it was accepted. */
function gate(raw: unknown): boolean {
  let msg: WebviewMessage | undefined;
  assert.doesNotThrow(() => {
    msg = validate(raw);
    const r = checkWebviewMessage(raw);
    assert.equal(r.ok, msg !== undefined);
    if (!r.ok) assert.ok(typeof r.reason === 'string' && r.reason.length > 0 && r.reason.length < 200, r.reason.slice(0, 300));
  }, `threw on ${describe(raw)}`);
  if (msg) assertWellFormed(msg, raw);
  return msg !== undefined;
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' || typeof x === 'symbol' ? String(x) : x))?.slice(0, 120) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

let tried = 0;
let accepted = 0;
const count = (raw: unknown): boolean => {
  tried++;
  const ok = gate(raw);
  if (ok) accepted++;
  return ok;
};

test('every field of every message type, replaced by each hostile value: rejected or clamped, never thrown', () => {
  for (const [label, base] of Object.entries(BASES)) {
    assert.equal(count(base), true, `${label} as sent by the panel`);
    for (const field of Object.keys(base)) {
      for (const v of HOSTILE) {
        const raw = { ...base, [field]: v };
        const ok = count(raw);
        // Only an optional save view may be absent; no hostile value of a field is accepted as it is.
        if (field === 'type') assert.equal(ok, false, `type ${describe(v)}`);
        if (field === 'requestId') assert.equal(ok, typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, `requestId ${describe(v)}`);
        if (field === 'resultId') assert.equal(ok, typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, `resultId ${describe(v)}`);
        if (['params', 'what', 'rect', 'part', 'scale', 'axis'].includes(field)) assert.equal(ok, field === 'scale' && typeof v === 'number' && v > 0 && v <= 1, `${label}.${field} ${describe(v)}`);
        if (field === 'view') assert.equal(ok, v === undefined && label === 'save+view', `${label}.view ${describe(v)}`);
        if (field === 'highlight') assert.equal(ok, v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < PANEL_LIMITS.k.max), `highlight ${describe(v)}`);
        if (field === 'displayMax') assert.equal(ok, v === undefined || (typeof v === 'number' && Number.isFinite(v)), `displayMax ${describe(v)}`);
      }
      const missing = { ...base };
      delete missing[field];
      const optional = (field === 'view' && label === 'save+view') || field === 'highlight' || field === 'displayMax';
      assert.equal(count(missing), optional, `${label} without ${field}`);
    }
    if ('view' in base) {
      for (const key of ['mode', 'selected', 'white']) {
        for (const v of HOSTILE) {
          const ok = count({ ...base, view: { ...goodView, [key]: v } });
          // Only a list of distinct ranks 0-15 (e.g. [] or [0, 1, 2, 3]) is a selection.
          const ranks = Array.isArray(v) && v.every((r) => Number.isInteger(r) && r >= 0 && r < PANEL_LIMITS.k.max) && new Set(v).size === v.length;
          const valid = key === 'selected' ? ranks : key === 'white' ? typeof v === 'boolean' : false;
          assert.equal(ok, valid, `view.${key} ${describe(v)}`);
        }
      }
      for (const selected of [[16], [-1], [0, 0], [1.5], Array.from({ length: 17 }, (_, i) => i), [2 ** 53]]) {
        assert.equal(count({ ...base, view: { ...goodView, selected } }), false, `view.selected ${describe(selected)}`);
      }
    }
    if ('rect' in base) {
      for (const key of ['x', 'y', 'width', 'height']) {
        for (const v of HOSTILE) {
          const ok = count({ ...base, rect: { ...(base.rect as object), [key]: v } });
          const min = key === 'x' || key === 'y' ? 0 : 1;
          const valid = typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v < 2 ** 20 && (key === 'x' || key === 'y' || v <= 300 || (v * (key === 'width' ? 200 : 300) <= 6_000_000));
          assert.equal(ok, valid, `rect.${key} ${describe(v)}`);
        }
      }
    }
    if (!('params' in base)) continue;
    for (const key of PARAM_KEYS) {
      for (const v of HOSTILE) {
        const ok = count({ ...base, params: { ...good, [key]: v } });
        if (ok) {
          // Only out-of-range safe integers may pass, and only clamped.
          assert.ok(key in PANEL_LIMITS && typeof v === 'number' && Number.isSafeInteger(v), `${key} accepted ${describe(v)}`);
        }
      }
      const missing: Record<string, unknown> = { ...good };
      delete missing[key];
      assert.equal(count({ ...base, params: missing }), false, `params without ${key}`);
    }
  }
  for (const [key, v, want] of [
    ['k', 1e15, PANEL_LIMITS.k.max],
    ['k', -5, PANEL_LIMITS.k.min],
    ['width', 2 ** 53 - 1, PANEL_LIMITS.width.max],
    ['seed', -1, PANEL_LIMITS.seed.min],
    ['nInit', 0, PANEL_LIMITS.nInit.min],
    ['maxIter', 1e9, PANEL_LIMITS.maxIter.max],
  ] as const) {
    const msg = validate({ type: 'run', requestId: 1, params: { ...good, [key]: v }, view: goodView });
    assert.equal((msg as { params: PanelParams } | undefined)?.params[key], want, `${key} ${v} clamps to ${want}`);
  }
});

test('prototype pollution keys: nothing reaches Object.prototype or the accepted message', () => {
  const payloads = [
    '{"type":"run","requestId":1,"params":{"__proto__":{"polluted":1,"k":9}},"__proto__":{"polluted":1}}',
    '{"type":"run","requestId":1,"params":{"colorSpace":"bgr","channels":[0],"k":3,"width":0,"nInit":1,"maxIter":1,"seed":0,"format":"png","__proto__":{"polluted":1}}}',
    '{"type":"save","requestId":1,"constructor":{"prototype":{"polluted":1}},"params":{"colorSpace":"bgr","channels":[0],"k":3,"width":0,"nInit":1,"maxIter":1,"seed":0,"format":"png","constructor":{"prototype":{"polluted":1}}}}',
    '{"__proto__":{"type":"ready"}}',
    '{"type":"__proto__"}',
    '{"type":"constructor"}',
    '{"type":"toString"}',
    '{"type":"hasOwnProperty"}',
  ];
  for (const text of payloads) {
    const raw: unknown = JSON.parse(text);
    const ok = count(raw);
    const msg = validate(raw);
    if (ok && msg && 'params' in msg) {
      assert.ok(!Object.prototype.hasOwnProperty.call(msg.params, '__proto__'));
      assert.ok(!Object.prototype.hasOwnProperty.call(msg.params, 'constructor'));
      assert.equal(Object.getPrototypeOf(msg.params), Object.prototype);
    }
  }
  // A JSON own "__proto__" key is not a prototype: {"__proto__":{"type":"ready"}} has no type.
  assert.equal(validate(JSON.parse('{"__proto__":{"type":"ready"}}')), undefined);
  // Fields inherited from a prototype (impossible through postMessage's structured clone) are not
  // read: only own properties count, at every level, and no getter runs.
  assert.equal(validate(Object.create({ type: 'run', requestId: 1, params: good }) as object), undefined);
  assert.equal(validate({ type: 'run', requestId: 1, params: Object.create(good) as object }), undefined);
  assert.equal(validate({ type: 'view', requestId: 1, view: Object.assign(Object.create({ white: true }) as object, { mode: 'gray', selected: [] }) }), undefined);
  let getterRan = false;
  const withGetter = { type: 'run', requestId: 1, view: goodView, get params() { getterRan = true; return good; } };
  assert.equal(validate(withGetter), undefined);
  assert.equal(getterRan, false);
  assert.ok(validate({ type: 'run', requestId: 1, params: { ...good }, view: goodView }), 'own fields still pass');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
});

test('odd containers: arrays, null prototypes, frozen objects, huge arrays, deep nesting', () => {
  const frozen = Object.freeze({ type: 'run', requestId: 1, view: goodView, params: Object.freeze({ ...good, channels: Object.freeze([0]) }) });
  assert.equal(count(frozen), true);
  const np = Object.assign(Object.create(null) as Record<string, unknown>, { type: 'run', requestId: 1, view: goodView, params: { ...good } });
  count(np);
  count({ type: 'run', requestId: 1, params: { ...good, channels: new Array(1e6).fill(0) } });
  let deep: unknown = good;
  for (let i = 0; i < 10_000; i++) deep = { params: deep };
  count({ type: 'run', requestId: 1, params: deep });
  count(new Array(1e5).fill({ type: 'ready' }));
  count({ type: 'run', requestId: 1, params: Object.assign([], good) });
  count({ type: LONG, requestId: 1, params: good });
  count({ type: 'run', requestId: LONG, params: { ...good, colorSpace: LONG, format: LONG } });
});

test('seeded fuzz (50 000 messages) and a flood (10 000 in a row): no throw, only well-formed messages through', () => {
  const rnd = prng(20261126);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const numbers = [0, 1, 2, 3, 16, 17, 255, 1000, 16384, 16385, 4294967295, 4294967296, -1, 1.5, NaN, Infinity, 1e300, 2 ** 53];
  const value = (depth: number): unknown => {
    const r = rnd();
    if (r < 0.35) return pick(numbers);
    if (r < 0.45) return pick(['bgr', 'hsv', 'lab', 'ycrcb', 'png', 'jpg', 'bmp', 'run', 'save', 'ready', '', '__proto__']);
    if (r < 0.55) return Array.from({ length: Math.floor(rnd() * 5) }, () => pick([0, 1, 2, 3, -1, '1', null]));
    if (r < 0.6 && depth < 3) return params(depth + 1);
    return pick(HOSTILE);
  };
  const params = (depth: number): Record<string, unknown> => {
    const p: Record<string, unknown> = { ...good };
    for (const key of PARAM_KEYS) if (rnd() < 0.25) p[key] = value(depth);
    if (rnd() < 0.1) delete p[pick(PARAM_KEYS)];
    return p;
  };
  const message = (): unknown => {
    const m: Record<string, unknown> = {
      type: pick(['run', 'save', 'ready', 'elbow', 'export', 'view', 'tile', 'inspect', 'sweep', 'copyCommand', 'batch', 'stop', 'RUN', '']),
      axis: pick(['channels', 'k', 'none', 'all', '']),
      requestId: Math.floor(rnd() * 1000),
      resultId: rnd() < 0.8 ? Math.floor(rnd() * 10) : value(1),
      part: pick(['both', 'original', 'right', 'left', '']),
      rect: rnd() < 0.6 ? { x: pick(numbers), y: pick(numbers), width: pick(numbers), height: pick(numbers) } : value(1),
      scale: pick([1, 0.5, 0.01, 0, -1, 2, NaN]),
      x: value(1),
      y: value(1),
      highlight: rnd() < 0.5 ? undefined : value(1),
      displayMax: rnd() < 0.5 ? undefined : value(1),
      params: params(0),
      what: pick(['labels', 'palette', 'palette', 'mask', '', null]),
      view: rnd() < 0.5 ? goodView : { mode: pick(['gray', 'mean', 'mask', 'boundaries', 'x']), white: pick([true, false, 1]), selected: value(1) },
    };
    if (rnd() < 0.2) delete m.view;
    if (rnd() < 0.2) m.requestId = value(1);
    if (rnd() < 0.1) m.type = value(1);
    if (rnd() < 0.1) m.params = value(1);
    return m;
  };
  const before = accepted;
  for (let i = 0; i < 50_000; i++) count(message());
  const fuzzAccepted = accepted - before;
  assert.ok(fuzzAccepted > 1000 && fuzzAccepted < 50_000, `fuzz accepted ${fuzzAccepted}`);

  // Flood: what a runaway webview could send in one burst; the gate stays cheap.
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 10_000; i++) {
    count({ type: 'run', requestId: i, params: { ...good, k: (i % 20) + 1, width: i } });
    count({ type: 'save', requestId: -i - 1, params: good });
  }
  const floodMs = performance.now() - t0;
  const grewMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(floodMs < 5000, `flood took ${floodMs} ms`);
  console.log(
    `# reliability: webview messages: ${tried} hostile or fuzzed messages tried, ${accepted} accepted (all well-formed, clamped into range), ` +
      `${tried - accepted} rejected, 0 thrown; flood of 20 000 validated in ${floodMs.toFixed(0)} ms (RSS change ${grewMb.toFixed(1)} MB)`,
  );
});
