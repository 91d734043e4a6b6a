// Clustering the distinct feature values weighted by their counts gives the same result as
// clustering every pixel, and there are far fewer of them. Ids follow the lexicographic order of
// the values, so the output does not depend on the pixel order.

export interface Distinct {
  /** m*d distinct values, lexicographically increasing. */
  points: Float64Array;
  /** m pixel counts. */
  weights: Float64Array;
  /** n: pixel -> distinct id. */
  index: Uint32Array;
  /** m */
  count: number;
}

/** Above this many pixels a 2^24-entry table (64 MB) is cheaper than sorting the keys. */
const TABLE_MIN_PIXELS = 1 << 21;

export function distinctValues(features: Uint8Array, d: number): Distinct {
  if (!Number.isInteger(d) || d < 1 || d > 3) throw new RangeError(`distinctValues: d must be 1, 2 or 3 (got ${d})`);
  if (features.length % d !== 0) {
    throw new RangeError(`distinctValues: ${features.length} feature bytes is not a multiple of d=${d}`);
  }
  const n = features.length / d;
  if (d < 3 || n >= TABLE_MIN_PIXELS) return viaTable(features, d, n);
  return viaSort(features, n);
}

function key3(f: Uint8Array, p: number): number {
  return (f[3 * p] << 16) | (f[3 * p + 1] << 8) | f[3 * p + 2];
}

function keyOf(f: Uint8Array, d: number, p: number): number {
  if (d === 1) return f[p];
  if (d === 2) return (f[2 * p] << 8) | f[2 * p + 1];
  return key3(f, p);
}

function unpack(key: number, d: number, points: Float64Array, id: number): void {
  const o = id * d;
  if (d === 1) points[o] = key;
  else if (d === 2) {
    points[o] = key >>> 8;
    points[o + 1] = key & 255;
  } else {
    points[o] = key >>> 16;
    points[o + 1] = (key >>> 8) & 255;
    points[o + 2] = key & 255;
  }
}

/** Counts in a table of all 256^d keys, then numbers the used keys in increasing order. */
function viaTable(features: Uint8Array, d: number, n: number): Distinct {
  const table = new Uint32Array(1 << (8 * d));
  for (let p = 0; p < n; p++) table[keyOf(features, d, p)]++;
  let m = 0;
  for (let key = 0; key < table.length; key++) if (table[key] !== 0) m++;
  const points = new Float64Array(m * d);
  const weights = new Float64Array(m);
  let id = 0;
  for (let key = 0; key < table.length; key++) {
    const c = table[key];
    if (c === 0) continue;
    weights[id] = c;
    unpack(key, d, points, id);
    table[key] = id++; // the count is no longer needed: the slot now maps key -> id
  }
  const index = new Uint32Array(n);
  for (let p = 0; p < n; p++) index[p] = table[keyOf(features, d, p)];
  return { points, weights, index, count: m };
}

/** Two 12-bit counting-sort passes over pixel indices by their 24-bit key: O(n), 12n bytes. */
function viaSort(features: Uint8Array, n: number): Distinct {
  const keys = new Uint32Array(n);
  for (let p = 0; p < n; p++) keys[p] = key3(features, p);
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const counts = new Uint32Array(4097);
  for (let p = 0; p < n; p++) counts[(keys[p] & 4095) + 1]++;
  for (let i = 1; i <= 4096; i++) counts[i] += counts[i - 1];
  for (let p = 0; p < n; p++) a[counts[keys[p] & 4095]++] = p;
  counts.fill(0);
  for (let p = 0; p < n; p++) counts[(keys[p] >>> 12) + 1]++;
  for (let i = 1; i <= 4096; i++) counts[i] += counts[i - 1];
  for (let i = 0; i < n; i++) {
    const p = a[i];
    b[counts[keys[p] >>> 12]++] = p;
  }
  let m = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const kk = keys[b[i]];
    if (kk !== prev) {
      m++;
      prev = kk;
    }
  }
  const points = new Float64Array(m * 3);
  const weights = new Float64Array(m);
  const index = a; // reuse: every slot is rewritten below
  let id = -1;
  prev = -1;
  for (let i = 0; i < n; i++) {
    const p = b[i];
    const kk = keys[p];
    if (kk !== prev) {
      id++;
      prev = kk;
      unpack(kk, 3, points, id);
    }
    weights[id]++;
    index[p] = id;
  }
  return { points, weights, index, count: m };
}
