import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeParams, failLine, globToRegExp, selectBatchFiles, wholeNumberProblem } from '../../src/extension/batch/batchFiles';
import { SETTING_DEFAULTS } from '../../src/extension/settings/readSettings';
import { outputName, withSuffix } from '../../src/core/naming';
import { isImageName, unreadableImageMessage } from '../../src/shared/formats';
import { DEFAULT_PARAMS } from '../../src/shared/params';

const DEFAULT_GLOB = SETTING_DEFAULTS.batchGlob;

test('image names by extension, any case', () => {
  for (const n of ['a.png', 'b.JPG', 'c.jpeg', 'c.jpe', 'd.Bmp', 'e.gif', 'f.tif', 'g.TIFF', 'x.y.png', 'h.webp', 'i.AVIF']) assert.ok(isImageName(n), n);
  for (const n of ['a.txt', 'png', '.png', 'a.png.bak', 'a.svg', 'a.ico', 'a.heic', 'a']) assert.ok(!isImageName(n), n);
});

test('glob syntax: *, **, ?, {a,b}, [..]', () => {
  const m = (g: string, p: string): boolean => globToRegExp(g).test(p);
  assert.ok(m('*.png', 'a.png'));
  assert.ok(!m('*.png', 'sub/a.png'), '* stays in one folder');
  assert.ok(m('**/*.png', 'a.png'), '**/ matches zero folders');
  assert.ok(m('**/*.png', 'x/y/z/a.png'));
  assert.ok(m('photos/**', 'photos/2024/a.jpg'));
  assert.ok(!m('photos/**', 'other/a.jpg'));
  assert.ok(m('img?.png', 'img1.png'));
  assert.ok(!m('img?.png', 'img10.png'));
  assert.ok(m('*.{png,jpg}', 'a.jpg'));
  assert.ok(!m('*.{png,jpg}', 'a.gif'));
  assert.ok(m('[ab]*.png', 'b1.png'));
  assert.ok(!m('[!ab]*.png', 'b1.png'));
  assert.ok(m('a+b (1).png', 'a+b (1).png'), 'regex characters are literal');
  assert.ok(!m('a.png', 'aXpng'), 'a dot is literal');
});

test('selects images matching the glob, skips our outputs and non-images, sorted and unique', () => {
  const ours = outputName('cat.png', DEFAULT_PARAMS, 'png', new Date(2024, 0, 2, 3, 4, 5));
  const files = [
    'z.png',
    'a.JPG',
    'notes.txt',
    'sub/b.tiff',
    'sub/deeper/c.bmp',
    ours,
    withSuffix(ours, 2),
    `sub/${outputName('b.tiff', { ...DEFAULT_PARAMS, colorSpace: 'hsv', channels: [0, 2] }, 'jpg')}`,
    './z.png',
    'sub\\win.gif',
    'cat_2024.png',
  ];
  assert.deepEqual(selectBatchFiles(files, DEFAULT_GLOB), ['a.JPG', 'cat_2024.png', 'sub/b.tiff', 'sub/deeper/c.bmp', 'sub/win.gif', 'z.png']);
  assert.deepEqual(selectBatchFiles(files, '*.png'), ['cat_2024.png', 'z.png']);
  assert.deepEqual(selectBatchFiles(files, 'sub/**'), ['sub/b.tiff', 'sub/deeper/c.bmp', 'sub/win.gif']);
  assert.deepEqual(selectBatchFiles(['notes.txt'], '**'), [], 'the glob cannot admit non-images');
  assert.deepEqual(selectBatchFiles([], DEFAULT_GLOB), []);
});

test('the default glob takes WebP, AVIF and .jpe in any case, and skips our .webp and .tiff outputs', () => {
  const d = new Date(2024, 0, 2, 3, 4, 5);
  const files = ['p.webp', 'Q.WEBP', 'r.avif', 's.AVIF', 't.jpe', outputName('p.webp', DEFAULT_PARAMS, 'webp', d), outputName('p.webp', DEFAULT_PARAMS, 'tiff', d), 'u.svg', 'v.ico'];
  assert.deepEqual(selectBatchFiles(files, DEFAULT_GLOB), ['p.webp', 'Q.WEBP', 'r.avif', 's.AVIF', 't.jpe']);
});

test('images VS Code shows but the decoder cannot read are named in the message', () => {
  assert.equal(unreadableImageMessage('logo.svg'), 'logo.svg: SVG images cannot be segmented; K-means Segmentation reads PNG, JPEG, WebP, AVIF, BMP, GIF and TIFF.');
  assert.match(unreadableImageMessage('favicon.ICO')!, /^favicon\.ICO: ICO images cannot be segmented/);
  assert.match(unreadableImageMessage('IMG_0001.HEIC')!, /HEIC images/);
  for (const n of ['a.png', 'a.webp', 'a.avif', 'notes.txt', 'noext']) assert.equal(unreadableImageMessage(n), undefined, n);
});

test('parameter description names the channels of the space', () => {
  const p = { colorSpace: 'hsv', channels: [0, 2], k: 4, width: 300, nInit: 10, maxIter: 100, seed: 0, format: 'jpg' } as const;
  assert.equal(describeParams({ ...p, channels: [0, 2] }), 'HSV, channels H V, 4 clusters, width 300, JPG');
  assert.equal(describeParams({ ...p, colorSpace: 'bgr', channels: [0, 1, 2], width: 0, format: 'png' }), 'BGR, all channels, 4 clusters, original size, PNG');
});

test('input box checks for whole numbers in range', () => {
  assert.equal(wholeNumberProblem('3', 'k'), undefined);
  assert.equal(wholeNumberProblem(' 16 ', 'k'), undefined);
  assert.equal(wholeNumberProblem('0', 'width'), undefined);
  for (const t of ['1', '17', '', 'abc', '3.5', '-2', '1e3', '4x']) assert.match(wholeNumberProblem(t, 'k') ?? '', /from 2 to 16/, t);
});

test('a FAIL line names the file once', () => {
  assert.equal(
    failLine('file:///w/batch/corrupt.png', 'corrupt.png', 'corrupt.png: not a supported image (unknown format)'),
    'FAIL file:///w/batch/corrupt.png: not a supported image (unknown format)',
  );
  // A message about something else (the folder) keeps its subject.
  assert.equal(failLine('file:///w/a.png', 'a.png', '/w: folder is not writable'), 'FAIL file:///w/a.png: /w: folder is not writable');
  assert.equal(failLine('file:///w/a.png', 'a.png', 'a.png.bak: x'), 'FAIL file:///w/a.png: a.png.bak: x');
});
