// Generates media/samples/ishihara-5.png: an Ishihara-style plate (a "5" of orange dots among
// olive-green dots). Both hue families are scaled to the same luminance band, so clustering on
// lightness alone (Lab L, YCrCb Y, HSV V) cannot find the digit while hue (HSV H, Lab a) can:
// a compact demo of why channel selection matters.
// Deterministic (seeded PRNG): re-running it rewrites the same PNG.
//   node scripts/make-ishihara.mjs [out.png]
import { Jimp } from 'jimp';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const SIZE = 600;
const PLATE_RADIUS = 288;
const out = process.argv[2] ?? 'media/samples/ishihara-5.png';

/** mulberry32: tiny, seedable, good enough for dot placement. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20180329);
const between = (lo, hi) => lo + (hi - lo) * rand();

/** The digit as strokes in plate units (0..1 across the plate's bounding box). */
const arc = (cx, cy, r, a0, a1, n) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = a0 + ((a1 - a0) * i) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
const STROKES = [
  [[0.68, 0.2], [0.37, 0.2], [0.35, 0.47]],
  [[0.35, 0.47], ...arc(0.49, 0.62, 0.19, -2.3, 2.55, 32)],
];
const STROKE_HALF_WIDTH = 0.045;

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
function inDigit(x, y) {
  const u = x / SIZE;
  const v = y / SIZE;
  return STROKES.some((s) => s.slice(1).some((p, i) => distToSegment(u, v, s[i], p) < STROKE_HALF_WIDTH));
}

function hsvToRgb(h, s, v) {
  const f = (n) => {
    const k = (n + h / 60) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}
/** A colour of the given hue family whose luma (BT.601, as OpenCV's Y) falls in one shared band. */
function dotColour([hueLo, hueHi]) {
  const [r, g, b] = hsvToRgb(between(hueLo, hueHi), between(0.45, 0.75), 1);
  const luma = 0.299 * r + 0.587 * g + 0.114 * b;
  const scale = between(140, 170) / luma;
  return [r, g, b].map((c) => Math.min(255, Math.round(c * scale)));
}
const FIGURE_HUES = [10, 32]; // orange-red
const GROUND_HUES = [62, 100]; // olive to yellow-green

// Dart throwing with a coarse grid for the overlap test; radii shrink as the plate fills.
const dots = [];
const CELL = 24;
const grid = new Map();
const key = (cx, cy) => `${cx},${cy}`;
function fits(x, y, r) {
  const cx = Math.floor(x / CELL);
  const cy = Math.floor(y / CELL);
  for (let i = cx - 1; i <= cx + 1; i++) {
    for (let j = cy - 1; j <= cy + 1; j++) {
      for (const d of grid.get(key(i, j)) ?? []) {
        if (Math.hypot(d.x - x, d.y - y) < d.r + r + 1.5) return false;
      }
    }
  }
  return true;
}
const C = SIZE / 2;
for (const [maxR, minR, tries] of [[11, 7, 6000], [7, 4, 12000], [4, 2.5, 20000]]) {
  for (let n = 0; n < tries; n++) {
    const r = between(minR, maxR);
    const x = between(0, SIZE);
    const y = between(0, SIZE);
    if (Math.hypot(x - C, y - C) + r > PLATE_RADIUS || !fits(x, y, r)) continue;
    const dot = { x, y, r, colour: dotColour(inDigit(x, y) ? FIGURE_HUES : GROUND_HUES) };
    dots.push(dot);
    const k = key(Math.floor(x / CELL), Math.floor(y / CELL));
    grid.set(k, [...(grid.get(k) ?? []), dot]);
  }
}

const image = new Jimp({ width: SIZE, height: SIZE, color: 0xf4f1eaff });
const px = image.bitmap.data;
for (const { x, y, r, colour } of dots) {
  for (let yy = Math.floor(y - r); yy <= Math.ceil(y + r); yy++) {
    for (let xx = Math.floor(x - r); xx <= Math.ceil(x + r); xx++) {
      // Soft edge over one pixel so the dots are round without a blur pass.
      const cover = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(xx + 0.5 - x, yy + 0.5 - y)));
      if (cover === 0 || xx < 0 || yy < 0 || xx >= SIZE || yy >= SIZE) continue;
      const o = (yy * SIZE + xx) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(px[o + c] * (1 - cover) + colour[c] * cover);
    }
  }
}
mkdirSync(dirname(out), { recursive: true });
await image.write(out);
console.log(`${out}: ${SIZE}x${SIZE}, ${dots.length} dots`);
