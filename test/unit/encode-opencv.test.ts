// Our outputs as OpenCV reads them: what the seed's users open our files with. Runs OpenCV 4.6
// through /usr/bin/python3 (python3-opencv, which .ci/run installs for the parity tests too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { encodeGrayPng, encodeImage } from '../../src/core/encode';
import { fixture } from './io-helpers';
import type { OutputFormat } from '../../src/shared/formats';

/** Per file: width, height, and the largest difference from `raw` (RGB bytes) as cv2.imread reads it. */
function opencvRead(files: string[], raw: string): { file: string; width: number; height: number; maxDiff: number }[] {
  const script = `
import sys, json, cv2, numpy as np
raw = np.fromfile(sys.argv[1], np.uint8)
out = []
for f in sys.argv[2:]:
    im = cv2.imread(f, cv2.IMREAD_COLOR)
    if im is None:
        out.append({'file': f, 'width': 0, 'height': 0, 'maxDiff': 999}); continue
    rgb = im[:, :, ::-1].reshape(-1)
    d = int(np.abs(rgb.astype(int) - raw[:rgb.size].astype(int)).max()) if rgb.size == raw.size else 999
    out.append({'file': f, 'width': int(im.shape[1]), 'height': int(im.shape[0]), 'maxDiff': d})
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, raw, ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, `OpenCV via /usr/bin/python3 (apt-get install python3-opencv): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('OpenCV reads every output format back: PNG, BMP, WebP and TIFF exactly, JPEG closely', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-opencv-'));
  try {
    const img = await decodeImage(fixture('chelsea.png'), 'chelsea.png');
    writeFileSync(join(dir, 'raw.rgb'), img.data);
    const formats: OutputFormat[] = ['png', 'bmp', 'webp', 'tiff', 'jpg'];
    const files: string[] = [];
    for (const f of formats) {
      const path = join(dir, `out.${f}`);
      writeFileSync(path, await encodeImage(img, f));
      files.push(path);
    }
    const read = opencvRead(files, join(dir, 'raw.rgb'));
    for (const r of read) {
      assert.deepEqual([r.width, r.height], [img.width, img.height], r.file);
      assert.ok(r.file.endsWith('.jpg') ? r.maxDiff <= 40 : r.maxDiff === 0, `${r.file}: OpenCV reads values up to ${r.maxDiff} apart`);
    }
    // the label PNG, gray: OpenCV's IMREAD_COLOR gives B = G = R = the label's gray
    const gray = new Uint8Array(img.width * img.height).map((_, i) => (i % 3) * 127);
    writeFileSync(join(dir, 'labels.png'), await encodeGrayPng(gray, img.width, img.height));
    const rgb = new Uint8Array(gray.length * 3).map((_, i) => gray[Math.floor(i / 3)]!);
    writeFileSync(join(dir, 'labels.rgb'), rgb);
    assert.equal(opencvRead([join(dir, 'labels.png')], join(dir, 'labels.rgb'))[0]!.maxDiff, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
