// The panel's host side without vscode (src/extension/editor/panelSession.ts), on a real worker pool
// and a real image worker: the messages a run posts and what their pictures hold (checked
// against the engine run in place), previews on large images, tiles with the true pixels, the
// pixel inspector, views, latest-wins, runs made stale by a file change, a panel shown
// again with the same parameters (no new clustering), a return to recent parameters (their kept
// result), and a newer run not waiting for the insight views of the result before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharedBytes } from '../../src/core/bytes';
import { decodeImage } from '../../src/core/decode';
import { clusterPalette, highlight, inspectPixel, renderResult } from '../../src/core/insight/index';
import { channelPlanes } from '../../src/core/insight/planes';
import { prepare, segmentSync } from '../../src/core/segment';
import { elbowCurve, elbowK } from '../../src/core/insight/elbow';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import { boxRegion } from '../../src/core/view/region';
import { SegmentPool } from '../../src/core/worker/pool';
import { ImageClient } from '../../src/extension/workers/imageClient';
import { heldBeyond, PanelSession, PREVIEW_RESTARTS, RECENT_RESULTS, type LoadedImage, type QuickLook, type SessionDeps } from '../../src/extension/editor/panelSession';
import type { HostMessage, Picture, ResultView } from '../../src/shared/protocol';
import { buildImageWorker, FIXTURES, fixture, withExifThumbnail } from './io-helpers';
import { jpegThumbnail } from '../../src/core/codecs/exifThumbnail';
import { encodeImage } from '../../src/core/encode';
import { toOrientedRgb } from '../../src/core/codecs/orientation';
import type { PanelParams } from '../../src/shared/params';

const GRAY: ResultView = { mode: 'gray', selected: [], white: false };
const base: PanelParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 0, nInit: 4, maxIter: 100, seed: 0, format: 'png' };

let pool: SegmentPool;
let io: ImageClient;
let ioDir: string;
let chelsea: RgbImage;

before(async () => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { stdio: 'inherit' });
  assert.equal(r.status, 0, 'esbuild failed');
  pool = new SegmentPool({ workerPath: resolve('dist/worker.js'), size: 2 });
  ioDir = await buildImageWorker('panel-session-');
  io = new ImageClient(join(ioDir, 'imageWorker.js'));
  const png = readFileSync(join(FIXTURES, 'chelsea.png'));
  const img = await decodeImage(png, 'chelsea.png');
  chelsea = { ...img, data: sharedBytes(img.data.length) };
  chelsea.data.set(img.data);
});
after(async () => {
  await pool.dispose();
  await io.dispose();
  rmSync(ioDir, { recursive: true, force: true });
});

/** A session over `image` that records every message it posts; `segments` counts the pool's runs. */
function session(
  image: RgbImage,
  key = 'img#1',
  displayMax = 1024,
  deps: Partial<Pick<SessionDeps, 'load' | 'quickLook' | 'insights'>> = {},
): { s: PanelSession; posted: HostMessage[]; failed: unknown[]; segments: () => number; loaded: { key: string } } {
  const posted: HostMessage[] = [];
  const failed: unknown[] = [];
  let segments = 0;
  const loaded = { key };
  const counting = {
    segment: (...args: Parameters<SegmentPool['segment']>) => {
      segments++;
      return pool.segment(...args);
    },
    elbow: (...args: Parameters<SegmentPool['elbow']>) => pool.elbow(...args),
  };
  const s = new PanelSession({
    load: async (): Promise<LoadedImage> => ({ image, key: loaded.key }),
    pool: () => counting,
    io: () => io,
    post: (m) => posted.push(m),
    fail: (e) => failed.push(e),
    ...deps,
  });
  s.ready(displayMax);
  return { s, posted, failed, segments: () => segments, loaded };
}

async function pixels(picture: Picture): Promise<RgbImage> {
  return decodeImage(new Uint8Array(picture.png), 'view.png');
}

function of<T extends HostMessage['type']>(posted: HostMessage[], type: T): Extract<HostMessage, { type: T }>[] {
  return posted.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type);
}

function expected(image: RgbImage, params: PanelParams): SegmentResult {
  return segmentSync(image, params);
}

test('a run posts the original, the result (its right half the seed gray levels, its palette) and the insight views', async () => {
  const { s, posted, failed } = session(chelsea);
  s.run({ type: 'run', requestId: 5, params: base, view: GRAY });
  await s.idle();
  assert.deepEqual(failed, []);
  const want = expected(chelsea, base);
  const [original] = of(posted, 'original');
  assert.ok(original, 'the original is posted');
  assert.deepEqual([original.width, original.height, original.picture.width, original.picture.height], [451, 300, 451, 300]);
  assert.deepEqual((await pixels(original.picture)).data, chelsea.data, 'a small image is sent at its own size, exactly');
  const results = of(posted, 'result');
  assert.equal(results.length, 1, 'no preview for a small image');
  const r = results[0]!;
  assert.equal(r.preview, false);
  assert.deepEqual([r.requestId, r.width, r.height, r.k, r.label], [5, 451, 300, 3, 'gray']);
  assert.equal(r.imageId, original.imageId);
  assert.equal(r.inertia, want.inertia);
  assert.deepEqual(r.centers, want.centers);
  assert.deepEqual((await pixels(r.right)).data, renderResult(want, 'gray').data);
  assert.deepEqual(r.palette, clusterPalette(want));
  const [insight] = of(posted, 'insight');
  assert.equal(insight?.resultId, r.resultId);
  assert.equal(insight.split.kind, 'scatter');
  const planes = channelPlanes(want.converted, 451, 300, 96);
  assert.deepEqual(new Uint8Array(insight.planes.data), new Uint8Array([...planes.planes[0], ...planes.planes[1], ...planes.planes[2]]));
  // Progress came first, and every stage named what it does.
  const stages = of(posted, 'progress').map((m) => m.stage);
  assert.ok(stages.includes('clustering') && stages.includes('drawing'), stages.join(','));
  s.dispose();
});

test('hue is 0-179: the histogram of H spans its own range', async () => {
  const { s, posted } = session(chelsea);
  s.run({ type: 'run', requestId: 1, params: { ...base, colorSpace: 'hsv', channels: [0] }, view: GRAY });
  await s.idle();
  const [insight] = of(posted, 'insight');
  assert.ok(insight && insight.split.kind === 'histogram');
  assert.equal(insight.split.max, 179);
  for (const h of insight.split.histograms) assert.equal(new Uint32Array(h).length, 180);
  s.dispose();
});

test('a mode picked while a run is under way applies to its result, which says so', async () => {
  const { s, posted, failed } = session(chelsea);
  s.run({ type: 'run', requestId: 1, params: base, view: GRAY });
  // No result is shown yet: the view is not answered, and the run draws in it.
  s.setView({ type: 'view', requestId: 2, view: { mode: 'mean', selected: [], white: false } });
  await s.idle();
  assert.deepEqual(failed, []);
  const [r] = of(posted, 'result');
  assert.equal(r?.label, 'mean');
  assert.deepEqual((await pixels(r.right)).data, renderResult(expected(chelsea, base), 'mean').data);
  s.dispose();
});

test('tiles hold the true pixels; the inspector reads the full-size data; views re-render the right half', async () => {
  const { s, posted } = session(chelsea);
  s.run({ type: 'run', requestId: 1, params: base, view: GRAY });
  await s.idle();
  const r = of(posted, 'result')[0]!;
  const want = expected(chelsea, base);
  const rect = { x: 100, y: 50, width: 64, height: 40 };
  s.tile({ type: 'tile', requestId: 2, resultId: r.resultId, part: 'both', rect, scale: 1, view: GRAY });
  s.inspect({ type: 'inspect', requestId: 3, resultId: r.resultId, x: 200, y: 150 });
  s.setView({ type: 'view', requestId: 4, view: GRAY, highlight: 1 });
  await new Promise((done) => setTimeout(done, 500));
  const tile = of(posted, 'tile')[0];
  assert.ok(tile?.original && tile.right, 'a tile with both halves');
  assert.deepEqual(tile.rect, rect);
  const crop = (img: RgbImage): Uint8Array => boxRegion(img, rect, rect.width, rect.height);
  assert.deepEqual((await pixels(tile.original)).data, crop(chelsea));
  assert.deepEqual((await pixels(tile.right)).data, crop(renderResult(want, 'gray')));
  const pixel = of(posted, 'pixel')[0];
  assert.deepEqual(pixel?.info, inspectPixel(want, 200, 150));
  const right = of(posted, 'right')[0];
  assert.equal(right?.label, 'highlight:1');
  assert.deepEqual((await pixels(right.picture)).data, highlight(want, 1).data);
  // Off the image, or a result that is gone: an empty answer, no throw.
  s.inspect({ type: 'inspect', requestId: 5, resultId: r.resultId, x: 451, y: 0 });
  s.inspect({ type: 'inspect', requestId: 6, resultId: 999, x: 1, y: 1 });
  assert.deepEqual(of(posted, 'pixel').slice(1).map((m) => m.info), [undefined, undefined]);
  s.dispose();
});

test('a large image: the original at display size, a preview from a reduced copy first, then the full-size result', async () => {
  // 1600 x 1200: more than four times the preview's quarter megapixel.
  const big: RgbImage = { width: 1600, height: 1200, data: sharedBytes(1600 * 1200 * 3) };
  for (let y = 0; y < 1200; y++) {
    for (let x = 0; x < 1600; x++) {
      const s = (Math.floor((y * 300) / 1200) * 451 + Math.floor((x * 451) / 1600)) * 3;
      big.data.set(chelsea.data.subarray(s, s + 3), (y * 1600 + x) * 3);
      big.data[(y * 1600 + x) * 3] ^= (x * 7 + y * 13) & 7;
    }
  }
  const { s, posted, failed } = session(big, 'big#1', 800);
  // Many restarts: the full-size run takes long enough for the preview to come first.
  const params = { ...base, nInit: 60, k: 6 };
  s.run({ type: 'run', requestId: 1, params, view: GRAY });
  await s.idle();
  assert.deepEqual(failed, []);
  const [original] = of(posted, 'original');
  assert.deepEqual([original!.width, original!.height, original!.picture.width, original!.picture.height], [1600, 1200, 800, 600]);
  const results = of(posted, 'result');
  assert.deepEqual(results.map((m) => m.preview), [true, false], 'the preview, then the final result');
  const [preview, final] = results as [(typeof results)[0], (typeof results)[0]];
  assert.deepEqual([preview.width, preview.height], [1600, 1200], 'a preview speaks of the full size');
  assert.ok(preview.right.width * preview.right.height <= 300_000, `a reduced copy: ${preview.right.width}x${preview.right.height}`);
  assert.deepEqual([final.right.width, final.right.height], [800, 600]);
  assert.ok(posted.indexOf(preview) < posted.indexOf(final));
  const want = expected(big, params);
  assert.equal(final.inertia, want.inertia, 'the final result is the full-size segmentation');
  assert.ok(PREVIEW_RESTARTS <= params.nInit);
  // Once the final result is shown, the preview's is gone: the inspector answers for the final one only.
  s.inspect({ type: 'inspect', requestId: 2, resultId: preview.resultId, x: 800, y: 600 });
  s.inspect({ type: 'inspect', requestId: 3, resultId: final.resultId, x: 800, y: 600 });
  await new Promise((done) => setTimeout(done, 100));
  const answers = of(posted, 'pixel');
  assert.deepEqual(answers.map((m) => [m.requestId, m.info !== undefined]), [[2, false], [3, true]]);
  assert.deepEqual(answers[1]!.info, inspectPixel(want, 800, 600));
  s.dispose();
});

test('the image worker turns a photo\'s embedded thumbnail as the photo and refuses one of another shape', async () => {
  // a 60 x 40 thumbnail of chelsea, stored unturned in a photo whose orientation is 6 (shown 40 x 60)
  const small = { width: 60, height: 40, data: boxRegion(chelsea, { x: 0, y: 0, width: 451, height: 300 }, 60, 40) };
  const thumbJpeg = await encodeImage(small, 'jpg');
  const thumb = jpegThumbnail(withExifThumbnail(fixture('small.jpg'), thumbJpeg, { orientation: 6 }))!;
  const look = await io.quickLook(thumb, 6, { width: 2000, height: 3000 });
  assert.ok(look.image && look.original, 'a thumbnail of the photo\'s shape is used');
  assert.deepEqual([look.image.width, look.image.height, look.original.width, look.original.height], [40, 60, 40, 60]);
  const decoded = await decodeImage(thumbJpeg, 'thumb.jpg');
  const turned = new Uint8Array(40 * 60 * 3);
  toOrientedRgb(decoded.data, 3, 60, 40, 6, turned);
  assert.deepEqual(look.image.data, turned, 'decoded, then turned as the photo');
  assert.deepEqual((await pixels(look.original)).data, turned);
  // a view into a larger Node Buffer (as a file read gives): sent as a copy, the Buffer left whole
  const file = Buffer.alloc(thumbJpeg.length + 100);
  file.set(thumbJpeg, 50);
  const again = await io.quickLook(file.subarray(50, 50 + thumbJpeg.length), 1, { width: 60, height: 40 });
  assert.deepEqual([again.image?.width, again.image?.height], [60, 40]);
  assert.equal(file.length, thumbJpeg.length + 100, 'the Buffer the thumbnail was a view of is not moved to the worker');
  // a 4:3 photo with a 3:2 thumbnail (letterboxed by the camera, or another crop): not used
  assert.deepEqual(await io.quickLook(thumb, 6, { width: 3000, height: 4000 }), {});
  assert.deepEqual(await io.quickLook(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), 1, { width: 60, height: 40 }), {}, 'one that does not decode');
});

/** A quick look of `image` (what the image worker makes of a photo's thumbnail) at `width` x `height`. */
async function quickLookOf(image: RgbImage, width: number, height: number, key: string): Promise<QuickLook> {
  const data = sharedBytes(width * height * 3);
  data.set(boxRegion(image, { x: 0, y: 0, width: image.width, height: image.height }, width, height));
  const png = await encodeImage({ width, height, data }, 'png');
  return { image: { width, height, data }, original: { width, height, png: png.slice().buffer as ArrayBuffer }, width: image.width, height: image.height, key };
}

test('while the photo decodes, a preview of its embedded thumbnail comes first; once a result of the photo is out, none', async () => {
  let release!: () => void;
  const decoded = new Promise<void>((r) => (release = r));
  const look = await quickLookOf(chelsea, 90, 60, 'img#1');
  const { s, posted, failed } = session(chelsea, 'img#1', 1024, {
    load: async () => {
      await decoded;
      return { image: chelsea, key: 'img#1' };
    },
    quickLook: () => Promise.resolve(look),
    // the views' thread makes it: the photo's own pictures go to io's
    insights: () => ({
      insight: (...args) => io.insight(...args),
      quickPreview: (...args) => {
        onViewsThread++;
        return io.quickPreview(...args);
      },
    }),
  });
  let onViewsThread = 0;
  s.run({ type: 'run', requestId: 1, params: base, view: GRAY });
  for (let i = 0; i < 200 && of(posted, 'result').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const [early] = of(posted, 'result');
  assert.ok(early, 'a result before the photo is decoded');
  assert.deepEqual([early.preview, early.thumbnail, early.width, early.height, early.right.width, early.right.height], [true, true, 451, 300, 90, 60]);
  const want = segmentSync(look.image, { ...base, nInit: Math.min(base.nInit, PREVIEW_RESTARTS) });
  assert.equal(early.inertia, want.inertia, 'the thumbnail clustered with the run\'s parameters, as a preview');
  assert.equal(onViewsThread, 1, 'made on the views\' thread');
  const [thumbOriginal] = of(posted, 'original');
  assert.equal(thumbOriginal!.imageId, early.imageId);
  assert.deepEqual([thumbOriginal!.width, thumbOriginal!.height, thumbOriginal!.picture.width], [451, 300, 90]);
  release();
  await s.idle();
  assert.deepEqual(failed, []);
  const results = of(posted, 'result');
  assert.deepEqual(results.map((m) => [m.preview, m.thumbnail ?? false]), [[true, true], [false, false]], 'then the photo\'s own result');
  assert.notEqual(results[1]!.imageId, early.imageId);
  // once the photo's own pictures are out, its thumbnail is not shown again (a change of k)
  s.run({ type: 'run', requestId: 3, params: { ...base, k: 4 }, view: GRAY });
  await s.idle();
  assert.deepEqual(of(posted, 'result').map((m) => [m.requestId, m.thumbnail ?? false]), [[1, true], [1, false], [3, false]]);
  s.dispose();

  // a quick look that comes after the photo's result is not shown
  let late!: (l: QuickLook) => void;
  const second = session(chelsea, 'img#1', 1024, { quickLook: () => new Promise<QuickLook>((r) => (late = r)) });
  second.s.run({ type: 'run', requestId: 2, params: base, view: GRAY });
  await second.s.idle();
  late(look);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(of(second.posted, 'result').map((m) => m.thumbnail ?? false), [false]);
  second.s.dispose();
});

test('after the file changes on disk, the re-run shows a preview of the new file\'s thumbnail while it decodes', async () => {
  // as the document's cache: a load's quick look exists from the start of that load, and a change
  // on disk drops both, so the re-run's own load is what finds the new file's thumbnail
  const looks = new Map([
    ['img#1', await quickLookOf(chelsea, 90, 60, 'img#1')],
    ['img#2', await quickLookOf(chelsea, 60, 40, 'img#2')],
  ]);
  let current: { key: string; quick: Promise<QuickLook | undefined>; loaded: Promise<LoadedImage> } | undefined;
  let version = 0;
  let release!: () => void;
  const { s, posted, failed } = session(chelsea, 'img#1', 1024, {
    load: () => {
      if (!current) {
        const key = `img#${++version}`;
        const decoded = version === 1 ? Promise.resolve() : new Promise<void>((r) => (release = r));
        current = { key, quick: Promise.resolve(looks.get(key)), loaded: decoded.then(() => ({ image: chelsea, key })) };
      }
      return current.loaded;
    },
    quickLook: () => current?.quick,
  });
  s.run({ type: 'run', requestId: 1, params: base, view: GRAY });
  await s.idle();
  current = undefined;
  s.fileChanged();
  s.run({ type: 'run', requestId: 2, params: base, view: GRAY });
  const second = (): HostMessage[] => of(posted, 'result').filter((m) => m.requestId === 2);
  for (let i = 0; i < 200 && second().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const [early] = of(posted, 'result').filter((m) => m.requestId === 2);
  assert.ok(early, 'a result before the new file is decoded');
  assert.deepEqual([early.preview, early.thumbnail, early.imageId, early.right.width], [true, true, 'img#2|thumbnail', 60]);
  release();
  await s.idle();
  assert.deepEqual(failed, []);
  assert.deepEqual(of(posted, 'result').filter((m) => m.requestId === 2).map((m) => [m.preview, m.thumbnail ?? false]), [[true, true], [false, false]]);
  s.dispose();
});

test('latest wins; a run older than a file change posts nothing; the same parameters again do not cluster again', async () => {
  const { s, posted, failed, segments, loaded } = session(chelsea);
  for (let k = 2; k <= 6; k++) s.run({ type: 'run', requestId: k, params: { ...base, k }, view: GRAY });
  await s.idle();
  assert.deepEqual(failed, []);
  assert.deepEqual(of(posted, 'result').map((m) => m.requestId), [6]);

  // The panel is shown again (its webview reloads) and asks for the same parameters.
  const before = segments();
  s.ready(1024);
  s.run({ type: 'run', requestId: 7, params: { ...base, k: 6, format: 'jpg' }, view: GRAY });
  await s.idle();
  assert.equal(segments(), before, 'no new clustering');
  assert.deepEqual(of(posted, 'result').map((m) => m.requestId), [6, 7]);
  assert.equal(of(posted, 'original').length, 2, 'the reloaded panel gets the original again');

  // The file changes on disk while a run is under way.
  s.run({ type: 'run', requestId: 8, params: { ...base, k: 3 }, view: GRAY });
  s.fileChanged();
  loaded.key = 'img#2';
  await s.idle();
  assert.deepEqual(of(posted, 'result').map((m) => m.requestId), [6, 7], 'the stale run is not shown');
  assert.equal(s.resultFor({ ...base, k: 6 }, 'img#1'), undefined, 'nothing is kept from before the change');
  s.dispose();
});

test('a return to parameters shown a moment ago shows their result again without clustering; the oldest are let go', async () => {
  const { s, posted, failed, segments } = session(chelsea);
  const results = (): Extract<HostMessage, { type: 'result' }>[] => of(posted, 'result');
  const runK = async (k: number, requestId: number): Promise<void> => {
    s.run({ type: 'run', requestId, params: { ...base, k }, view: GRAY });
    await s.idle();
  };
  await runK(3, 1);
  await runK(4, 2);
  const computed = segments();
  await runK(3, 3);
  assert.equal(segments(), computed, 'k 3 again: no new clustering');
  const [first, , again] = results();
  assert.equal(again!.requestId, 3);
  assert.equal(again!.k, 3);
  assert.deepEqual(again!.sizes, first!.sizes);
  assert.deepEqual(again!.centers, first!.centers);
  assert.notEqual(again!.resultId, first!.resultId, 'a result of its own (its views and tiles follow it)');
  assert.equal(s.resultFor({ ...base, k: 3 }, 'img#1')?.k, 3, 'Save finds it');
  assert.equal(s.resultFor({ ...base, k: 4 }, 'img#1')?.k, 4, 'and the one before it');

  // Past RECENT_RESULTS other parameters, the oldest is computed again.
  for (let k = 5; k < 5 + RECENT_RESULTS; k++) await runK(k, 10 + k);
  assert.equal(s.resultFor({ ...base, k: 4 }, 'img#1'), undefined, 'k 4 was let go');
  const before = segments();
  await runK(4, 30);
  assert.equal(segments(), before + 1, 'k 4 is clustered again');
  assert.deepEqual(results().at(-1)!.sizes, results()[1]!.sizes, 'to the same result');
  assert.deepEqual(failed, []);
  s.dispose();
});

test('what older results hold beyond the newest: labels, and converted images other than the image, each buffer once', () => {
  const shared = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));
  const image = shared(300);
  const res = (converted: Uint8Array, labels = shared(100)) => ({ result: { image: { width: 10, height: 10, data: image }, converted: { data: converted, offsets: [0, 1, 2] as const }, labels } as unknown as SegmentResult });
  const hsv = shared(300);
  const bgr1 = res(image);
  const bgr2 = res(image);
  // BGR reads the image itself: only the labels count
  assert.equal(heldBeyond([bgr1, bgr2]), 100);
  // two of one colour space share its converted image: counted once, and not at all when the newest holds it
  const hsv1 = res(hsv);
  const hsv2 = res(hsv);
  assert.equal(heldBeyond([hsv1, hsv2, bgr1]), 100 + 100 + 300);
  assert.equal(heldBeyond([bgr1, hsv1, hsv2]), 100 + 100);
  assert.equal(heldBeyond([hsv2]), 0);
});

test('results of one colour space and width share one handle on their converted image (counted once among the recent)', async () => {
  const { s, failed } = session(chelsea);
  const hsv = { ...base, colorSpace: 'hsv' as const };
  for (const [k, requestId] of [[3, 1], [4, 2]] as const) {
    s.run({ type: 'run', requestId, params: { ...hsv, k }, view: GRAY });
    await s.idle();
  }
  const k3 = s.resultFor({ ...hsv, k: 3 }, 'img#1');
  const k4 = s.resultFor({ ...hsv, k: 4 }, 'img#1');
  assert.ok(k3 && k4);
  assert.equal(k4.converted, k3.converted);
  assert.deepEqual(failed, []);
  s.dispose();
});

test('the elbow curve runs on a copy at most 300 wide: the curve of the image prepared at that width', async () => {
  const { s, posted } = session(chelsea);
  s.elbow({ type: 'elbow', requestId: 3, params: { ...base, colorSpace: 'lab', channels: [1, 2] } });
  for (let i = 0; i < 200 && !posted.some((m) => m.type === 'elbow'); i++) await new Promise((r) => setTimeout(r, 50));
  const [msg] = of(posted, 'elbow');
  assert.ok(msg?.points, msg?.error);
  assert.equal(msg.width, 300);
  const want = elbowCurve(prepare(chelsea, { ...base, colorSpace: 'lab', channels: [1, 2], width: 300 }));
  assert.deepEqual(msg.points, want);
  assert.equal(msg.elbowK, elbowK(want));
  s.dispose();
});

test('a run that clusters comes before the elbow curve: the curve under way stops and is computed once the run has ended; a kept result stops nothing', async () => {
  const posted: HostMessage[] = [];
  const log: { what: string; start: number; end?: number; cancelled?: boolean }[] = [];
  const timed = <T>(what: string, p: Promise<T>): Promise<T> => {
    const entry: (typeof log)[number] = { what, start: performance.now() };
    log.push(entry);
    p.then(
      () => (entry.end = performance.now()),
      (e: unknown) => {
        entry.end = performance.now();
        entry.cancelled = (e as { code?: string })?.code === 'cancelled';
      },
    );
    return p;
  };
  const s = new PanelSession({
    load: async (): Promise<LoadedImage> => ({ image: chelsea, key: 'elbow-first#1' }),
    pool: () => ({
      segment: (...args: Parameters<SegmentPool['segment']>) => timed('segment', pool.segment(...args)),
      elbow: (...args: Parameters<SegmentPool['elbow']>) => timed('elbow', pool.elbow(...args)),
    }),
    io: () => io,
    post: (m) => posted.push(m),
    fail: () => undefined,
  });
  s.ready(1024);
  const elbowParams = { ...base, colorSpace: 'lab' as const, channels: [1, 2] };
  s.run({ type: 'run', requestId: 1, params: base, view: GRAY });
  await s.idle();
  // the curve is asked for; a change of k comes while it is computed
  s.elbow({ type: 'elbow', requestId: 2, params: elbowParams });
  for (let i = 0; i < 200 && !log.some((e) => e.what === 'elbow'); i++) await new Promise((r) => setTimeout(r, 5));
  s.run({ type: 'run', requestId: 3, params: { ...base, k: 4 }, view: GRAY });
  await s.idle();
  for (let i = 0; i < 400 && !posted.some((m) => m.type === 'elbow'); i++) await new Promise((r) => setTimeout(r, 50));
  const [msg] = of(posted, 'elbow');
  assert.deepEqual(msg?.points, elbowCurve(prepare(chelsea, { ...elbowParams, width: 300 })), msg?.error);
  assert.equal(msg.requestId, 2);
  const run = log.filter((e) => e.what === 'segment').at(-1)!;
  const elbows = log.filter((e) => e.what === 'elbow');
  assert.equal(elbows.length, 2, 'stopped once, computed again');
  assert.equal(elbows[0]!.cancelled, true, 'the curve under way was stopped');
  assert.ok(elbows[0]!.end! <= run.end!, 'it stopped before the run ended');
  assert.ok(elbows[1]!.start >= run.end!, 'the curve was computed again after the run');
  assert.ok(of(posted, 'result').findIndex((m) => m.requestId === 3 && !m.preview) < posted.indexOf(msg), 'the run\'s result came first');
  // back to k 3, a kept result: nothing is clustered, and a curve under way goes on
  s.elbow({ type: 'elbow', requestId: 4, params: { ...elbowParams, channels: [0, 1] } });
  for (let i = 0; i < 200 && log.filter((e) => e.what === 'elbow').length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  s.run({ type: 'run', requestId: 5, params: base, view: GRAY });
  await s.idle();
  for (let i = 0; i < 400 && of(posted, 'elbow').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(log.filter((e) => e.what === 'elbow').length, 3, 'the curve was not stopped for a kept result');
  assert.equal(of(posted, 'elbow')[1]?.requestId, 4);
  s.dispose();
});

test('the reduced copy for the elbow curve is made on the reducer thread when there is one, not on the pictures thread', async () => {
  const reducer = new ImageClient(join(ioDir, 'imageWorker.js'));
  const posted: HostMessage[] = [];
  try {
    const s = new PanelSession({
      load: async (): Promise<LoadedImage> => ({ image: chelsea, key: 'reducer#1' }),
      pool: () => pool,
      io: () => io,
      reducer: () => reducer,
      post: (m) => posted.push(m),
      fail: () => undefined,
    });
    s.ready(1024);
    s.elbow({ type: 'elbow', requestId: 4, params: { ...base, colorSpace: 'lab', channels: [1, 2] } });
    for (let i = 0; i < 200 && !posted.some((m) => m.type === 'elbow'); i++) await new Promise((r) => setTimeout(r, 50));
    const [msg] = of(posted, 'elbow');
    assert.deepEqual(msg?.points, elbowCurve(prepare(chelsea, { ...base, colorSpace: 'lab', channels: [1, 2], width: 300 })));
    assert.equal(reducer.workersStarted, 1, 'the reducer made no copy');
    s.dispose();
  } finally {
    await reducer.dispose();
  }
});

test('prefetch: the first run takes over the segmentation started before the panel asked; other parameters stop it', async () => {
  const { s, posted, failed, segments } = session(chelsea);
  s.prefetch(base);
  assert.equal(await waitFor(() => segments() === 1), true, 'the early segmentation starts without a run');
  s.run({ type: 'run', requestId: 1, params: { ...base, format: 'jpg' }, view: GRAY }); // the format is not the segmentation's
  await s.idle();
  assert.deepEqual(failed, []);
  assert.equal(segments(), 1, 'the first run did not cluster again');
  const [r] = of(posted, 'result');
  const want = expected(chelsea, base);
  assert.deepEqual([r!.requestId, r!.inertia, r!.centers], [1, want.inertia, want.centers]);
  assert.ok(of(posted, 'progress').some((m) => m.stage === 'clustering' && m.requestId === 1), 'the clustering stage is reported to the run that took it over');
  s.dispose();

  const other = session(chelsea);
  other.s.prefetch(base);
  other.s.run({ type: 'run', requestId: 2, params: { ...base, k: 4 }, view: GRAY });
  await other.s.idle();
  assert.deepEqual(other.failed, []);
  assert.deepEqual(of(other.posted, 'result').map((m) => [m.requestId, m.k]), [[2, 4]]);
  other.s.dispose();
});

test('a newer run does not wait for the insight views of the result before: they are stopped and their thread ended', async () => {
  const views = new ImageClient(join(ioDir, 'imageWorker.js'));
  const posted: HostMessage[] = [];
  const failed: unknown[] = [];
  const signals: AbortSignal[] = [];
  const s: PanelSession = new PanelSession({
    load: async (): Promise<LoadedImage> => ({ image: chelsea, key: 'img#1' }),
    pool: () => pool,
    io: () => io,
    // the real thread; the first call also changes k, as a user does right after a result shows
    insights: () => ({
      insight: (result, colorSpace, channels, signal) => {
        signals.push(signal!);
        const answer = views.insight(result, colorSpace, channels, signal);
        if (signals.length === 1) s.run({ type: 'run', requestId: 2, params: { ...base, k: 4 }, view: GRAY });
        return answer;
      },
      quickPreview: (...args) => views.quickPreview(...args),
    }),
    post: (m) => posted.push(m),
    fail: (e) => failed.push(e),
  });
  try {
    s.ready(1024);
    s.run({ type: 'run', requestId: 1, params: base, view: GRAY });
    await s.idle();
    assert.deepEqual(failed, []);
    const results = of(posted, 'result');
    assert.deepEqual(results.map((m) => [m.requestId, m.k]), [[1, 3], [2, 4]]);
    assert.deepEqual(of(posted, 'insight').map((m) => m.resultId), [results[1]!.resultId], 'only the newest result gets its views');
    assert.deepEqual(signals.map((x) => x.aborted), [true, false], 'the stale views were stopped');
    assert.equal(views.workersStarted, 2, 'their thread was ended mid-way, and a fresh one made the views of the newer result');
  } finally {
    s.dispose();
    await views.dispose();
  }
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 5))) if (cond()) return true;
  return cond();
}
