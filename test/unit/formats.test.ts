import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  IMAGE_EXTENSIONS,
  OUTPUT_EXTENSIONS_TEXT,
  OUTPUT_FORMATS,
  extensionOf,
  formatFromName,
  imageExtnameRegex,
  imageFormatsText,
  imageGlob,
  isImageName,
  unreadableImageMessage,
} from '../../src/shared/formats';
import { globToRegExp } from '../../src/extension/batch/batchFiles';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('package.json: the custom editor opens exactly the image extensions, in lower and upper case', () => {
  const patterns = (pkg.contributes.customEditors[0].selector as { filenamePattern: string }[]).map((s) => s.filenamePattern);
  const want = IMAGE_EXTENSIONS.flatMap((e) => [`*.${e}`, `*.${e.toUpperCase()}`]);
  assert.deepEqual([...patterns].sort(), [...want].sort());
});

test('package.json: every menu that tests resourceExtname uses the list\'s expression', () => {
  const clauses: string[] = [];
  for (const items of Object.values(pkg.contributes.menus) as { when?: string }[][]) {
    for (const item of items) {
      const m = item.when?.match(/resourceExtname =~ (\/.*?\/i)/);
      if (m) clauses.push(m[1]!);
    }
  }
  assert.ok(clauses.length >= 4, `found ${clauses.length}`);
  for (const c of clauses) assert.equal(c, imageExtnameRegex());
  // and that expression, read as VS Code reads it, matches the list and nothing like it
  const re = new RegExp(imageExtnameRegex().slice(1, -2), 'i');
  for (const e of IMAGE_EXTENSIONS) assert.ok(re.test(`.${e.toUpperCase()}`) && re.test(`.${e}`), e);
  for (const e of ['svg', 'ico', 'heic', 'jp2', 'tga', 'pngx']) assert.ok(!re.test(`.${e}`), e);
});

test('the batch glob takes every image extension in either case and nothing else', () => {
  const re = globToRegExp(imageGlob());
  for (const e of IMAGE_EXTENSIONS) {
    assert.ok(re.test(`a/b.${e}`) && re.test(`b.${e.toUpperCase()}`), e);
  }
  assert.ok(!re.test('a/b.svg') && !re.test('notes.txt'));
});

test('isImageName and extensionOf: any case, the last extension, folders ignored', () => {
  assert.ok(isImageName('photo.JPG') && isImageName('scan.tif') && isImageName('x.jfif') && isImageName('dir.v2/a.webp'));
  assert.ok(!isImageName('a.svg') && !isImageName('png') && !isImageName('dir.png/readme') && !isImageName('.png'));
  assert.equal(extensionOf('C:\\photos\\IMG.JPeG'), 'jpeg');
  assert.equal(extensionOf('noext'), '');
});

test('formats as messages list them; unreadable images are named, not guessed', () => {
  assert.equal(imageFormatsText(), 'PNG, JPEG, WebP, AVIF, BMP, GIF and TIFF');
  assert.equal(imageFormatsText('or'), 'PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF');
  assert.match(unreadableImageMessage('logo.svg')!, /^logo\.svg: SVG images cannot be segmented; .* reads PNG, JPEG/);
  assert.equal(unreadableImageMessage('a.png'), undefined);
});

test('output formats: -f values and --out extensions, as help lists them', () => {
  assert.deepEqual(OUTPUT_FORMATS, ['png', 'jpg', 'bmp', 'webp', 'tiff']);
  assert.equal(OUTPUT_EXTENSIONS_TEXT, 'png, jpg, jpeg, bmp, webp, tif or tiff');
  for (const [name, want] of [['png', 'png'], ['PNG', 'png'], ['.Jpg', 'jpg'], ['JPEG', 'jpg'], ['jpe', 'jpg'], ['bmp', 'bmp'], ['dib', 'bmp'], ['WebP', 'webp'], ['.tif', 'tiff'], ['TIFF', 'tiff']]) {
    assert.equal(formatFromName(name!), want, name);
  }
  for (const bad of ['gif', 'avif', '', 'pngg', 'jp', 'tiff2']) assert.equal(formatFromName(bad), undefined, bad);
});
