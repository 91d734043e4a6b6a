// AssemblyScript, compiled to WebAssembly by scripts/build-wasm.mjs (not by tsc; the output is
// committed as ../kernelWasm.generated.ts): one K-means restart, i.e. greedy k-means++ seeding
// and Lloyd's iterations with the filtering algorithm, on a kd-tree: the radix tree built below
// for byte points (every pixel value), the median tree of ../kdtree.ts for others.
//
// Why WebAssembly: in a cold process (the CLI, a fresh worker) the same code in JavaScript ran
// mostly in V8's unoptimised tiers, where every floating-point temporary is a heap allocation;
// WebAssembly runs compiled from the first call. Results are bit-identical to the brute-force
// oracle in test/oracle/bruteForce.ts (the tests hold it to that).
//
// Memory is laid out by the host (../wasmRestart.ts): the tree's arrays are copied in once and
// the table passed to setup() holds every array's byte offset. Coordinates have stride 3
// (missing dimensions are 0).
//
// Seeding (sklearn's _kmeans_plusplus on weighted points, exactly as if each point were repeated
// `weight` times): each node holds its potential (sum of w*D^2, D = distance to the closest
// chosen centre) and bounds on D^2. A node whose points all have the same closest centre c is
// tagged with c instead of storing D^2 per point: its potential is then sq - 2 c.sum + wsum |c|^2,
// and a candidate z either beats c on the whole box, loses on the whole box (both decided at the
// box's extreme corner, since |x-z|^2 - |x-c|^2 is linear in x) or splits the node. So a
// candidate costs the nodes its bisectors cross, not the points. Tags are pushed down lazily.
// With integer points and weights every quantity is an exact integer below 2^53, so the
// potentials do not depend on how the tree splits the sums: the draws and choices are those of
// a plain linear scan over the points in tree order.
//
// Filtering (Kanungo et al. 2002): walk the tree carrying the centres that may still own part of
// the node; a centre is dropped when the whole box is strictly closer to the centre nearest the
// box's midpoint; a node left with one centre is assigned whole, using its weighted sums. A
// centre is dropped only when it loses at the worst corner of the box by more than any rounding
// error could account for (DELTA), and leaves compare the surviving centres with the same
// arithmetic as brute force (lowest index wins ties). "Did any label change?" is answered
// without storing every label every iteration: a node whose points all had one label last time
// keeps it in NODELAB (else -1), and that label overrides stale entries below it until the node
// is split again.

import { f, setF, n, setN } from './memory';

@external("env", "shouldStop")
declare function shouldStop(): i32;

let M: i32 = 0;
let NODES: i32 = 0;
let K: i32 = 0;
let TRIALS: i32 = 0;
let MAX_ITER: i32 = 0;
let DELTA: f64 = 0;
let TOL_ABS: f64 = 0;

// tree (read-only)
let PX: usize = 0;
let PW: usize = 0;
let START: usize = 0;
let END: usize = 0;
let RIGHT: usize = 0;
let LO: usize = 0;
let HI: usize = 0;
let MID: usize = 0;
let SUM: usize = 0;
let WSUM: usize = 0;
let SQ: usize = 0;
// seeding
let D2: usize = 0;
let POT: usize = 0;
let MAXD2: usize = 0;
let MIND2: usize = 0;
let TAG: usize = 0;
let SCAND: usize = 0;
// filtering
let NODELAB: usize = 0;
let POINTLAB: usize = 0;
let FCAND: usize = 0;
// one restart's centres (swapped every iteration) and cluster sums
let CUR: usize = 0;
let NXT: usize = 0;
let SUMS: usize = 0;
let CW: usize = 0;
let CSQ: usize = 0;
let RSUMS: usize = 0;
let RW: usize = 0;
let SCRATCH: usize = 0;
let RDIST: usize = 0;
let RLEFT: usize = 0;


/** Reads sizes and offsets from the table the host wrote at `table` (i32 each, in this order). */
export function setup(table: usize, delta: f64, tolAbs: f64): void {
  let p = table;
  M = load<i32>(p); p += 4;
  NODES = load<i32>(p); p += 4;
  K = load<i32>(p); p += 4;
  TRIALS = load<i32>(p); p += 4;
  MAX_ITER = load<i32>(p); p += 4;
  PX = load<u32>(p); p += 4;
  PW = load<u32>(p); p += 4;
  START = load<u32>(p); p += 4;
  END = load<u32>(p); p += 4;
  RIGHT = load<u32>(p); p += 4;
  LO = load<u32>(p); p += 4;
  HI = load<u32>(p); p += 4;
  MID = load<u32>(p); p += 4;
  SUM = load<u32>(p); p += 4;
  WSUM = load<u32>(p); p += 4;
  SQ = load<u32>(p); p += 4;
  D2 = load<u32>(p); p += 4;
  POT = load<u32>(p); p += 4;
  MAXD2 = load<u32>(p); p += 4;
  MIND2 = load<u32>(p); p += 4;
  TAG = load<u32>(p); p += 4;
  SCAND = load<u32>(p); p += 4;
  NODELAB = load<u32>(p); p += 4;
  POINTLAB = load<u32>(p); p += 4;
  FCAND = load<u32>(p); p += 4;
  CUR = load<u32>(p); p += 4;
  NXT = load<u32>(p); p += 4;
  SUMS = load<u32>(p); p += 4;
  CW = load<u32>(p); p += 4;
  CSQ = load<u32>(p); p += 4;
  RSUMS = load<u32>(p); p += 4;
  RW = load<u32>(p); p += 4;
  SCRATCH = load<u32>(p); p += 4;
  RDIST = load<u32>(p); p += 4;
  RLEFT = load<u32>(p);
  DELTA = delta;
  TOL_ABS = tolAbs;
}

/** Where the current centres are (they move between two buffers every iteration). */
export function centersPtr(): usize {
  return CUR;
}

// ---------------------------------------------------------------- the kd-tree (byte points)
// Built here rather than in kdtree.ts for the same reason as the rest: its loops run once per
// call, which in a cold JavaScript process means unoptimised. Radix build over Morton-sorted
// points: a node splits where its points' codes first differ, i.e. at the middle of its cell
// along one axis (an octree in binary steps). Preorder: left child = node + 1.

// Measured on the bgr/all cases (33-96k colours, k 3-8): leaves of 16 points ran the restarts
// 5-15 % faster than leaves of 8 (and 4 was 20-30 % slower), with half the nodes' memory.
const LEAF_SIZE = 16;
const STACK = 128;
let CODES: usize = 0;
let DEPTH: i32 = 0;

/** True if each of the `len` values at `pts` is an integer in 0..255 (what distinctValues makes). */
export function allBytes(pts: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    const v = f(pts, i);
    if (!(v >= 0 && v <= 255 && Math.floor(v) == v)) return false;
  }
  return true;
}

/** Largest |value| of `len` values (at least 1): the scale of the filtering's margin. */
export function maxAbs(pts: usize, len: i32): f64 {
  let big: f64 = 1;
  for (let i = 0; i < len; i++) {
    const a = Math.abs(f(pts, i));
    if (a > big) big = a;
  }
  return big;
}

/** sklearn's _tolerance (the oracle's absoluteTolerance in test/oracle/bruteForce.ts: same operations, same order). */
export function tolerance(pts: usize, wts: usize, d: i32, m: i32, tol: f64): f64 {
  let total: f64 = 0;
  for (let j = 0; j < d; j++) {
    let w: f64 = 0;
    let s1: f64 = 0;
    let s2: f64 = 0;
    for (let i = 0; i < m; i++) {
      const x = f(pts, i * d + j);
      const wi = f(wts, i);
      w += wi;
      s1 += wi * x;
      s2 += wi * x * x;
    }
    const mean = s1 / w;
    const v = s2 / w - mean * mean;
    total += v > 0 ? v : 0;
  }
  return (total / <f64>d) * tol;
}

/** Bits of a byte spread to every third position. */
@inline function spread(v: u32): u32 {
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  return (v | (v << 2)) & 0x09249249;
}

/**
 * Sorts the m byte points (d per point, at `pts`, weights at `wts`) by Morton code with two
 * 12-bit counting passes; writes tree position -> input index at `perm`, the points in tree
 * order at `px` (stride 3) and `pw`, and their codes at `codes` (`tmp`: m u32 of scratch;
 * `c0`, `c1`: 4097 u32 each, zeroed).
 */
export function sortMorton(pts: usize, wts: usize, d: i32, m: i32, codes: usize, tmp: usize, perm: usize, px: usize, pw: usize, c0: usize, c1: usize): void {
  for (let i = 0; i < m; i++) {
    const a = <u32>f(pts, i * d);
    const b = d > 1 ? <u32>f(pts, i * d + 1) : 0;
    const c = d > 2 ? <u32>f(pts, i * d + 2) : 0;
    const code = (spread(a) << 2) | (spread(b) << 1) | spread(c);
    setN(codes, i, code);
    setN(c0, (code & 4095) + 1, n(c0, (code & 4095) + 1) + 1);
    setN(c1, (code >>> 12) + 1, n(c1, (code >>> 12) + 1) + 1);
  }
  for (let b = 1; b <= 4096; b++) {
    setN(c0, b, n(c0, b) + n(c0, b - 1));
    setN(c1, b, n(c1, b) + n(c1, b - 1));
  }
  for (let i = 0; i < m; i++) {
    const slot = n(codes, i) & 4095;
    const at = n(c0, slot);
    setN(c0, slot, at + 1);
    setN(tmp, at, i);
  }
  for (let j = 0; j < m; j++) {
    const i = n(tmp, j);
    const slot = <u32>n(codes, i) >>> 12;
    const at = n(c1, slot);
    setN(c1, slot, at + 1);
    setN(perm, at, i);
  }
  for (let t = 0; t < m; t++) {
    const i = n(perm, t);
    setN(tmp, t, n(codes, i));
    setF(px, 3 * t, f(pts, i * d));
    setF(px, 3 * t + 1, d > 1 ? f(pts, i * d + 1) : 0);
    setF(px, 3 * t + 2, d > 2 ? f(pts, i * d + 2) : 0);
    setF(pw, t, f(wts, i));
  }
  memory.copy(codes, tmp, <usize>m << 2);
}

/** First index of [s, e) whose code has the highest bit in which the range's codes differ. */
function radixSplit(s: i32, e: i32): i32 {
  const diff = <u32>n(CODES, s) ^ <u32>n(CODES, e - 1);
  if (diff == 0) return (s + e) >> 1; // repeated points (callers may pass duplicates)
  const bit: u32 = 1 << (31 - clz<u32>(diff));
  let a = s;
  let b = e - 1; // codes[b] has the bit, codes[a] has not
  while (b - a > 1) {
    const c = (a + b) >> 1;
    if (<u32>n(CODES, c) & bit) b = c;
    else a = c;
  }
  return b;
}

/** Nodes of the radix tree over the m sorted codes at `codes` (the depth: treeDepth()). */
export function countRadix(codes: usize, m: i32, stack: usize): i32 {
  CODES = codes;
  const stackS = stack;
  const stackE = stack + STACK * 4;
  const stackD = stack + STACK * 8;
  setN(stackS, 0, 0);
  setN(stackE, 0, m);
  setN(stackD, 0, 0);
  let top = 1;
  let nodes = 0;
  DEPTH = 0;
  while (top > 0) {
    top--;
    const s = n(stackS, top);
    const e = n(stackE, top);
    const depth = n(stackD, top);
    if (depth > DEPTH) DEPTH = depth;
    nodes++;
    if (e - s > LEAF_SIZE) {
      const half = radixSplit(s, e);
      setN(stackS, top, half);
      setN(stackE, top, e);
      setN(stackD, top, depth + 1);
      setN(stackS, top + 1, s);
      setN(stackE, top + 1, half);
      setN(stackD, top + 1, depth + 1);
      top += 2;
    }
  }
  return nodes;
}

export function treeDepth(): i32 {
  return DEPTH;
}

/** Fills START, END, RIGHT (after setup()) for the codes given to countRadix; then summarise(). */
export function buildRadix(stack: usize): void {
  const stackS = stack;
  const stackE = stack + STACK * 4;
  const stackP = stack + STACK * 8;
  setN(stackS, 0, 0);
  setN(stackE, 0, M);
  setN(stackP, 0, -1);
  let top = 1;
  let node = 0;
  while (top > 0) {
    top--;
    const s = n(stackS, top);
    const e = n(stackE, top);
    const parent = n(stackP, top);
    if (parent >= 0) setN(RIGHT, parent, node);
    setN(START, node, s);
    setN(END, node, e);
    if (e - s <= LEAF_SIZE) {
      setN(RIGHT, node, -1);
    } else {
      const half = radixSplit(s, e);
      // right child waits on the stack; the left one is the next node (preorder)
      setN(stackS, top, half);
      setN(stackE, top, e);
      setN(stackP, top, node);
      setN(stackS, top + 1, s);
      setN(stackE, top + 1, half);
      setN(stackP, top + 1, -1);
      top += 2;
    }
    node++;
  }
}

/** Boxes, midpoints and weighted sums of every node, bottom-up (children follow their parent). */
export function summarise(): void {
  for (let node = NODES - 1; node >= 0; node--) {
    const o = 3 * node;
    const r = n(RIGHT, node);
    if (r < 0) {
      let w: f64 = 0;
      let q: f64 = 0;
      let s0: f64 = 0;
      let s1: f64 = 0;
      let s2: f64 = 0;
      let lo0: f64 = Infinity;
      let lo1: f64 = Infinity;
      let lo2: f64 = Infinity;
      let hi0: f64 = -Infinity;
      let hi1: f64 = -Infinity;
      let hi2: f64 = -Infinity;
      const e = n(END, node);
      for (let i = n(START, node); i < e; i++) {
        const wi = f(PW, i);
        const a = f(PX, 3 * i);
        const b = f(PX, 3 * i + 1);
        const c = f(PX, 3 * i + 2);
        w += wi;
        s0 += wi * a;
        s1 += wi * b;
        s2 += wi * c;
        q += wi * (a * a + b * b + c * c);
        if (a < lo0) lo0 = a;
        if (a > hi0) hi0 = a;
        if (b < lo1) lo1 = b;
        if (b > hi1) hi1 = b;
        if (c < lo2) lo2 = c;
        if (c > hi2) hi2 = c;
      }
      setF(WSUM, node, w);
      setF(SQ, node, q);
      setF(SUM, o, s0);
      setF(SUM, o + 1, s1);
      setF(SUM, o + 2, s2);
      setF(LO, o, lo0);
      setF(LO, o + 1, lo1);
      setF(LO, o + 2, lo2);
      setF(HI, o, hi0);
      setF(HI, o + 1, hi1);
      setF(HI, o + 2, hi2);
    } else {
      const l = node + 1;
      setF(WSUM, node, f(WSUM, l) + f(WSUM, r));
      setF(SQ, node, f(SQ, l) + f(SQ, r));
      for (let j = 0; j < 3; j++) {
        setF(SUM, o + j, f(SUM, 3 * l + j) + f(SUM, 3 * r + j));
        const ll = f(LO, 3 * l + j);
        const lr = f(LO, 3 * r + j);
        setF(LO, o + j, ll < lr ? ll : lr);
        const hl = f(HI, 3 * l + j);
        const hr = f(HI, 3 * r + j);
        setF(HI, o + j, hl > hr ? hl : hr);
      }
    }
    for (let j = 0; j < 3; j++) setF(MID, o + j, (f(LO, o + j) + f(HI, o + j)) / 2);
  }
}

// ---------------------------------------------------------------- random numbers (random.ts's xoshiro128**)

let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;

@inline function nextU32(): u32 {
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s1 = s1 ^ n2;
  s0 = s0 ^ n3;
  s2 = n2 ^ t;
  s3 = rotl<u32>(n3, 11);
  return result;
}

function nextDouble(): f64 {
  const a = nextU32() >>> 5;
  const b = nextU32() >>> 6;
  return (<f64>a * 67108864.0 + <f64>b) / 9007199254740992.0;
}

// ---------------------------------------------------------------- seeding

let z0: f64 = 0;
let z1: f64 = 0;
let z2: f64 = 0;

@inline function near1(a: f64, b: f64): f64 {
  const q = a > 0 ? a : b > 0 ? b : 0;
  return q * q;
}
@inline function far1(a: f64, b: f64): f64 {
  return a * a > b * b ? a * a : b * b;
}
@inline function lowEnd(g: f64, lo: f64, hi: f64): f64 {
  return g > 0 ? g * lo : g * hi;
}
@inline function highEnd(g: f64, lo: f64, hi: f64): f64 {
  return g > 0 ? g * hi : g * lo;
}

function seed(): void {
  const first = drawByWeight(nextDouble() * f(WSUM, 0));
  loadPoint(first);
  storeZ(0);
  setTag(0, 0);
  for (let c = 1; c < K; c++) {
    const total = f(POT, 0);
    for (let r = 0; r < TRIALS; r++) setN(SCAND, r, drawByPotential(nextDouble() * total));
    let best = -1;
    let bestPot = Infinity;
    for (let r = 0; r < TRIALS; r++) {
      let seen = false;
      for (let q = 0; q < r; q++) if (n(SCAND, q) == n(SCAND, r)) seen = true;
      if (seen) continue;
      loadPoint(n(SCAND, r));
      const p = potential(0);
      if (p < bestPot) {
        bestPot = p;
        best = n(SCAND, r);
      }
    }
    loadPoint(best);
    storeZ(c);
    update(0, c);
  }
}

@inline function loadPoint(i: i32): void {
  z0 = f(PX, 3 * i);
  z1 = f(PX, 3 * i + 1);
  z2 = f(PX, 3 * i + 2);
}

@inline function storeZ(c: i32): void {
  setF(CUR, 3 * c, z0);
  setF(CUR, 3 * c + 1, z1);
  setF(CUR, 3 * c + 2, z2);
}

function drawByWeight(v: f64): i32 {
  let node = 0;
  for (;;) {
    const r = n(RIGHT, node);
    if (r < 0) break;
    const lw = f(WSUM, node + 1);
    if (v < lw) node = node + 1;
    else {
      v -= lw;
      node = r;
    }
  }
  let last = n(START, node);
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const w = f(PW, i);
    if (w > 0) last = i;
    if (v < w) return i;
    v -= w;
  }
  return last;
}

function drawByPotential(v: f64): i32 {
  if (!(v < f(POT, 0))) return lastPositive(0);
  let node = 0;
  for (;;) {
    const r = n(RIGHT, node);
    unpack(node);
    if (r < 0) break;
    const lp = f(POT, node + 1);
    if (v < lp) node = node + 1;
    else {
      v -= lp;
      node = r;
    }
  }
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const p = f(PW, i) * f(D2, i);
    if (v < p) return i;
    v -= p;
  }
  return lastPositive(node);
}

function lastPositive(node: i32): i32 {
  for (;;) {
    unpack(node);
    const r = n(RIGHT, node);
    if (r < 0) break;
    node = f(POT, r) > 0 || !(f(POT, node + 1) > 0) ? r : node + 1;
  }
  for (let i = n(END, node) - 1; i >= n(START, node); i--) if (f(PW, i) * f(D2, i) > 0) return i;
  return n(END, node) - 1;
}

function setTag(node: i32, c: i32): void {
  const o = 3 * node;
  const c0 = f(CUR, 3 * c);
  const c1 = f(CUR, 3 * c + 1);
  const c2 = f(CUR, 3 * c + 2);
  setN(TAG, node, c);
  setF(
    POT,
    node,
    f(SQ, node) - 2 * (c0 * f(SUM, o) + c1 * f(SUM, o + 1) + c2 * f(SUM, o + 2)) + f(WSUM, node) * (c0 * c0 + c1 * c1 + c2 * c2),
  );
  const lo0 = f(LO, o);
  const lo1 = f(LO, o + 1);
  const lo2 = f(LO, o + 2);
  const hi0 = f(HI, o);
  const hi1 = f(HI, o + 1);
  const hi2 = f(HI, o + 2);
  setF(MIND2, node, near1(lo0 - c0, c0 - hi0) + near1(lo1 - c1, c1 - hi1) + near1(lo2 - c2, c2 - hi2));
  setF(MAXD2, node, far1(lo0 - c0, c0 - hi0) + far1(lo1 - c1, c1 - hi1) + far1(lo2 - c2, c2 - hi2));
}

function unpack(node: i32): void {
  const c = n(TAG, node);
  if (c < 0) return;
  const r = n(RIGHT, node);
  setN(TAG, node, -1);
  if (r >= 0) {
    setTag(node + 1, c);
    setTag(r, c);
    refresh(node);
    return;
  }
  const c0 = f(CUR, 3 * c);
  const c1 = f(CUR, 3 * c + 1);
  const c2 = f(CUR, 3 * c + 2);
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const a = f(PX, 3 * i) - c0;
    const b = f(PX, 3 * i + 1) - c1;
    const q = f(PX, 3 * i + 2) - c2;
    setF(D2, i, a * a + b * b + q * q);
  }
  refresh(node);
}

function refresh(node: i32): void {
  const r = n(RIGHT, node);
  if (r >= 0) {
    const l = node + 1;
    setF(POT, node, f(POT, l) + f(POT, r));
    const xl = f(MAXD2, l);
    const xr = f(MAXD2, r);
    setF(MAXD2, node, xl > xr ? xl : xr);
    const nl = f(MIND2, l);
    const nr = f(MIND2, r);
    setF(MIND2, node, nl < nr ? nl : nr);
    return;
  }
  let p: f64 = 0;
  let mx: f64 = 0;
  let mn: f64 = Infinity;
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const v = f(D2, i);
    p += f(PW, i) * v;
    if (v > mx) mx = v;
    if (v < mn) mn = v;
  }
  setF(POT, node, p);
  setF(MAXD2, node, mx);
  setF(MIND2, node, mn);
}

@inline function costAtZ(node: i32): f64 {
  const o = 3 * node;
  return f(SQ, node) - 2 * (z0 * f(SUM, o) + z1 * f(SUM, o + 1) + z2 * f(SUM, o + 2)) + f(WSUM, node) * (z0 * z0 + z1 * z1 + z2 * z2);
}

function compare(node: i32): i32 {
  const o = 3 * node;
  const lo0 = f(LO, o);
  const lo1 = f(LO, o + 1);
  const lo2 = f(LO, o + 2);
  const hi0 = f(HI, o);
  const hi1 = f(HI, o + 1);
  const hi2 = f(HI, o + 2);
  const near = near1(lo0 - z0, z0 - hi0) + near1(lo1 - z1, z1 - hi1) + near1(lo2 - z2, z2 - hi2);
  if (near >= f(MAXD2, node)) return 1;
  const c = n(TAG, node);
  if (c < 0) {
    const far = far1(lo0 - z0, z0 - hi0) + far1(lo1 - z1, z1 - hi1) + far1(lo2 - z2, z2 - hi2);
    return far <= f(MIND2, node) ? -1 : 0;
  }
  const c0 = f(CUR, 3 * c);
  const c1 = f(CUR, 3 * c + 1);
  const c2 = f(CUR, 3 * c + 2);
  const g0 = 2 * (c0 - z0);
  const g1 = 2 * (c1 - z1);
  const g2 = 2 * (c2 - z2);
  const h = z0 * z0 + z1 * z1 + z2 * z2 - (c0 * c0 + c1 * c1 + c2 * c2);
  const fmin = h + lowEnd(g0, lo0, hi0) + lowEnd(g1, lo1, hi1) + lowEnd(g2, lo2, hi2);
  if (fmin >= 0) return 1;
  const fmax = h + highEnd(g0, lo0, hi0) + highEnd(g1, lo1, hi1) + highEnd(g2, lo2, hi2);
  return fmax <= 0 ? -1 : 0;
}

function potential(node: i32): f64 {
  const cmp = compare(node);
  if (cmp > 0) return f(POT, node);
  if (cmp < 0) return costAtZ(node);
  unpack(node);
  const r = n(RIGHT, node);
  if (r >= 0) return potential(node + 1) + potential(r);
  let p: f64 = 0;
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const a = f(PX, 3 * i) - z0;
    const b = f(PX, 3 * i + 1) - z1;
    const q = f(PX, 3 * i + 2) - z2;
    const s = a * a + b * b + q * q;
    const v = f(D2, i);
    p += f(PW, i) * (s < v ? s : v);
  }
  return p;
}

function update(node: i32, c: i32): void {
  const cmp = compare(node);
  if (cmp > 0) return;
  if (cmp < 0) {
    setTag(node, c);
    return;
  }
  unpack(node);
  const r = n(RIGHT, node);
  if (r >= 0) {
    update(node + 1, c);
    update(r, c);
    refresh(node);
    return;
  }
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const a = f(PX, 3 * i) - z0;
    const b = f(PX, 3 * i + 1) - z1;
    const q = f(PX, 3 * i + 2) - z2;
    const s = a * a + b * b + q * q;
    if (s < f(D2, i)) setF(D2, i, s);
  }
  refresh(node);
}

// ---------------------------------------------------------------- filtering

let C: usize = 0; // centres of the assignment in progress
let changed = false;

/** Assigns every point to its nearest centre at `centers`, accumulating sums; true if a label changed. */
function assign(centers: usize): bool {
  C = centers;
  memory.fill(SUMS, 0, <usize>K * 24);
  memory.fill(CW, 0, <usize>K * 8);
  memory.fill(CSQ, 0, <usize>K * 8);
  changed = false;
  for (let c = 0; c < K; c++) setN(FCAND, c, c);
  visit(0, 0, K, -1);
  return changed;
}

function visit(node: i32, base: i32, nc: i32, prev: i32): void {
  const eff = prev >= 0 ? prev : n(NODELAB, node);
  let out = base;
  let no = nc;
  let only = n(FCAND, base);
  if (nc == 2) {
    only = pairWinner(node, n(FCAND, base), n(FCAND, base + 1));
    if (only >= 0) no = 1;
  } else if (nc > 1) {
    only = nearestToMid(node, base, nc);
    out = base + K;
    no = 0;
    for (let a = 0; a < nc; a++) {
      const c = n(FCAND, base + a);
      if (c == only || !dominated(node, only, c)) setN(FCAND, out + no++, c);
    }
  }
  if (no == 1) {
    take(node, only);
    if (eff != only) changed = true;
    setN(NODELAB, node, only);
    return;
  }
  const r = n(RIGHT, node);
  if (r < 0) {
    leaf(node, out, no, eff);
    return;
  }
  visit(node + 1, out, no, eff);
  visit(r, out, no, eff);
  const a = n(NODELAB, node + 1);
  setN(NODELAB, node, a >= 0 && a == n(NODELAB, r) ? a : -1);
}

function nearestToMid(node: i32, base: i32, nc: i32): i32 {
  const m0 = f(MID, 3 * node);
  const m1 = f(MID, 3 * node + 1);
  const m2 = f(MID, 3 * node + 2);
  let best = n(FCAND, base);
  let bd: f64 = Infinity;
  for (let a = 0; a < nc; a++) {
    const c = n(FCAND, base + a);
    const q0 = m0 - f(C, 3 * c);
    const q1 = m1 - f(C, 3 * c + 1);
    const q2 = m2 - f(C, 3 * c + 2);
    const s = q0 * q0 + q1 * q1 + q2 * q2;
    if (s < bd) {
      bd = s;
      best = c;
    }
  }
  return best;
}

function pairWinner(node: i32, a: i32, b: i32): i32 {
  const o = 3 * node;
  let fmin: f64 = 0;
  let fmax: f64 = 0;
  for (let j = 0; j < 3; j++) {
    const ca = f(C, 3 * a + j);
    const cb = f(C, 3 * b + j);
    const lo = f(LO, o + j);
    const hi = f(HI, o + j);
    const la = lo - ca;
    const lb = lo - cb;
    const ha = hi - ca;
    const hb = hi - cb;
    const atLo = la * la - lb * lb;
    const atHi = ha * ha - hb * hb;
    if (atLo < atHi) {
      fmin += atLo;
      fmax += atHi;
    } else {
      fmin += atHi;
      fmax += atLo;
    }
  }
  if (fmin > DELTA) return b;
  if (-fmax > DELTA) return a;
  return -1;
}

@inline function gap(a: f64, b: f64, lo: f64, hi: f64): f64 {
  const v = a > b ? hi : lo;
  const da = v - a;
  const db = v - b;
  return da * da - db * db;
}

function dominated(node: i32, win: i32, c: i32): bool {
  const o = 3 * node;
  return (
    gap(f(C, 3 * c), f(C, 3 * win), f(LO, o), f(HI, o)) +
      gap(f(C, 3 * c + 1), f(C, 3 * win + 1), f(LO, o + 1), f(HI, o + 1)) +
      gap(f(C, 3 * c + 2), f(C, 3 * win + 2), f(LO, o + 2), f(HI, o + 2)) >
    DELTA
  );
}

@inline function take(node: i32, c: i32): void {
  setF(CW, c, f(CW, c) + f(WSUM, node));
  setF(CSQ, c, f(CSQ, c) + f(SQ, node));
  setF(SUMS, 3 * c, f(SUMS, 3 * c) + f(SUM, 3 * node));
  setF(SUMS, 3 * c + 1, f(SUMS, 3 * c + 1) + f(SUM, 3 * node + 1));
  setF(SUMS, 3 * c + 2, f(SUMS, 3 * c + 2) + f(SUM, 3 * node + 2));
}

function leaf(node: i32, out: i32, no: i32, eff: i32): void {
  let first = -2;
  const e = n(END, node);
  for (let i = n(START, node); i < e; i++) {
    const x0 = f(PX, 3 * i);
    const x1 = f(PX, 3 * i + 1);
    const x2 = f(PX, 3 * i + 2);
    let best = -1;
    let bd: f64 = Infinity;
    for (let a = 0; a < no; a++) {
      const c = n(FCAND, out + a);
      const q0 = x0 - f(C, 3 * c);
      const q1 = x1 - f(C, 3 * c + 1);
      const q2 = x2 - f(C, 3 * c + 2);
      const s = q0 * q0 + q1 * q1 + q2 * q2;
      if (s < bd || (s == bd && c < best)) {
        bd = s;
        best = c;
      }
    }
    const before = eff >= 0 ? eff : n(POINTLAB, i);
    if (before != best) changed = true;
    setN(POINTLAB, i, best);
    const w = f(PW, i);
    setF(CW, best, f(CW, best) + w);
    setF(CSQ, best, f(CSQ, best) + w * (x0 * x0 + x1 * x1 + x2 * x2));
    setF(SUMS, 3 * best, f(SUMS, 3 * best) + w * x0);
    setF(SUMS, 3 * best + 1, f(SUMS, 3 * best + 1) + w * x1);
    setF(SUMS, 3 * best + 2, f(SUMS, 3 * best + 2) + w * x2);
    if (first == -2) first = best;
    else if (first != best) first = -1;
  }
  setN(NODELAB, node, first);
}

/** Labels of the last assignment, in tree order, written as i32 at `out`. */
export function labelsInto(out: usize): void {
  fill(0, -1, out);
}

function fill(node: i32, lab: i32, out: usize): void {
  const l = lab >= 0 ? lab : n(NODELAB, node);
  const r = n(RIGHT, node);
  if (l >= 0) {
    const e = n(END, node);
    for (let i = n(START, node); i < e; i++) setN(out, i, l);
  } else if (r < 0) {
    const e = n(END, node);
    for (let i = n(START, node); i < e; i++) setN(out, i, n(POINTLAB, i));
  } else {
    fill(node + 1, -1, out);
    fill(r, -1, out);
  }
}

// ---------------------------------------------------------------- one restart

/** Forgets the previous labels: the next assignment counts as a change everywhere. */
function resetLabels(): void {
  memory.fill(NODELAB, 0xff, <usize>NODES << 2);
  memory.fill(POINTLAB, 0xff, <usize>M << 2);
}

/** k-means++ from the generator state (a, b, c, d), then Lloyd; see lloyd(). */
export function runRestart(a: u32, b: u32, c: u32, d: u32): i32 {
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
  seed();
  return lloyd();
}

/**
 * Lloyd iterations from the centres at centersPtr(), as sklearn's _kmeans_single_lloyd: the
 * number of iterations, or -1 when shouldStop() asked to stop.
 */
export function lloyd(): i32 {
  resetLabels();
  let strict = false;
  let it = 0;
  while (it < MAX_ITER) {
    if (shouldStop()) return -1;
    const moved = assign(CUR);
    let sums = SUMS;
    let weights = CW;
    if (hasEmpty()) {
      // on copies: the filter's sums must stay those of the labels, for the inertia
      sums = RSUMS;
      weights = RW;
      memory.copy(RSUMS, SUMS, <usize>K * 24);
      memory.copy(RW, CW, <usize>K * 8);
      labelsInto(SCRATCH);
      relocateEmptyClusters();
    }
    for (let c = 0; c < K; c++) {
      const w = f(weights, c);
      for (let j = 0; j < 3; j++) {
        const s = f(sums, 3 * c + j);
        setF(NXT, 3 * c + j, w > 0 ? s / w : s);
      }
    }
    let shift: f64 = 0;
    for (let i = 0; i < 3 * K; i++) {
      const q = f(CUR, i) - f(NXT, i);
      shift += q * q;
    }
    const t = CUR;
    CUR = NXT;
    NXT = t;
    it++;
    if (!moved) {
      strict = true;
      break;
    }
    if (shift <= TOL_ABS) break;
  }
  // Stopped by tol or maxIter: the labels must be those of the final centres.
  if (!strict) assign(CUR);
  return it;
}

function hasEmpty(): bool {
  for (let c = 0; c < K; c++) if (f(CW, c) == 0) return true;
  return false;
}

/** test/oracle/relocate.ts's relocateEmptyClusters on RSUMS/RW with the labels in SCRATCH (old centres CUR). */
function relocateEmptyClusters(): void {
  for (let i = 0; i < M; i++) {
    const c = n(SCRATCH, i);
    let s: f64 = 0;
    for (let j = 0; j < 3; j++) {
      const q = f(PX, 3 * i + j) - f(CUR, 3 * c + j);
      s += q * q;
    }
    setF(RDIST, i, s);
    setF(RLEFT, i, f(PW, i));
  }
  for (let e = 0; e < K; e++) {
    if (f(RW, e) != 0) continue;
    let far = -1;
    for (let i = 0; i < M; i++) {
      if (f(RLEFT, i) > 0 && (far < 0 || f(RDIST, i) > f(RDIST, far))) far = i;
    }
    if (far < 0) return;
    const left = f(RLEFT, far);
    const u = left < 1 ? left : 1;
    setF(RLEFT, far, left - u);
    const from = n(SCRATCH, far);
    for (let j = 0; j < 3; j++) {
      const x = f(PX, 3 * far + j) * u;
      setF(RSUMS, 3 * from + j, f(RSUMS, 3 * from + j) - x);
      setF(RSUMS, 3 * e + j, x);
    }
    setF(RW, e, u);
    setF(RW, from, f(RW, from) - u);
  }
}
