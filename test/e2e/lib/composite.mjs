// Checks a saved composite against the seed's layout: original | strip of gray 193, int(0.0625 W)
// wide | labels drawn as gray int(255/(k-1))*rank. Decoded with jimp, independently of the engine.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Jimp } from 'jimp';

export const STRIP_GRAY = 193;
export const stripWidth = (w) => Math.floor(0.0625 * w);
export const compositeWidth = (w) => 2 * w + stripWidth(w);

/** `<stem>_<YYYYmmddHHMMSS><space>_c<channels>n<k>.<ext>`, channels "all" or digits. */
export function outputNamePattern(stem, { space = '(bgr|hsv|lab|ycrcb)', channels = '(all|[0-2]{1,3})', k = '\\d+', ext = 'png' } = {}) {
  const esc = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc}_\\d{14}${space}_c${channels}n${k}(-\\d+)?\\.${ext}$`);
}

export function filesMatching(dir, pattern) {
  return readdirSync(dir).filter((n) => pattern.test(n)).sort();
}

/** Waits until `dir` holds at least `count` names matching `pattern`; returns them. */
export async function waitForFiles(dir, pattern, count = 1, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = filesMatching(dir, pattern);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count} file(s) matching ${pattern} in ${dir}, found: ${readdirSync(dir).join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Asserts the composite in `file` is right for an original of `width` x `height` pixels and `k`
 * clusters. With `originalFile` (a lossless original at the same size), the left half must equal
 * it pixel for pixel. Returns the gray levels used, with their pixel counts.
 */
export async function checkComposite(file, { width, height, k, originalFile }) {
  const img = await Jimp.read(file);
  const { data, width: cw, height: ch } = img.bitmap;
  assert.equal(cw, compositeWidth(width), `${file}: composite width`);
  assert.equal(ch, height, `${file}: composite height`);
  const at = (x, y) => (y * cw + x) * 4;

  const strip = stripWidth(width);
  for (let y = 0; y < ch; y++) {
    for (let x = width; x < width + strip; x++) {
      const o = at(x, y);
      if (data[o] !== STRIP_GRAY || data[o + 1] !== STRIP_GRAY || data[o + 2] !== STRIP_GRAY) {
        assert.fail(`${file}: strip pixel (${x},${y}) is ${[...data.subarray(o, o + 3)]}, not ${STRIP_GRAY}`);
      }
    }
  }

  const step = Math.floor(255 / (k - 1));
  const allowed = new Set(Array.from({ length: k }, (_, i) => step * i));
  const levels = new Map();
  for (let y = 0; y < ch; y++) {
    for (let x = width + strip; x < cw; x++) {
      const o = at(x, y);
      const g = data[o];
      if (data[o + 1] !== g || data[o + 2] !== g || !allowed.has(g)) {
        assert.fail(`${file}: segmented pixel (${x},${y}) is ${[...data.subarray(o, o + 3)]}, not one of gray ${[...allowed]}`);
      }
      levels.set(g, (levels.get(g) ?? 0) + 1);
    }
  }
  // Rank 0 is the biggest cluster and is drawn black; more than one cluster must show.
  assert.ok(levels.size >= 2, `${file}: only gray ${[...levels.keys()]} in the segmented half`);
  const biggest = [...levels.entries()].sort((a, b) => b[1] - a[1])[0][0];
  assert.equal(biggest, 0, `${file}: the most frequent gray should be 0 (largest cluster)`);

  if (originalFile) {
    const orig = await Jimp.read(originalFile);
    assert.equal(orig.bitmap.width, width);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < width; x++) {
        const o = at(x, y);
        const p = (y * width + x) * 4;
        for (let c = 0; c < 3; c++) {
          if (data[o + c] !== orig.bitmap.data[p + c]) {
            assert.fail(`${file}: left half differs from ${originalFile} at (${x},${y})`);
          }
        }
      }
    }
  }
  return levels;
}
