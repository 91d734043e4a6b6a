// Where the clusters split: the converted channel values of each cluster's pixels, as a stacked
// histogram (one channel) or a density scatter coloured by the dominant cluster (two channels).
import type { ChannelImage, SegmentResult } from '../types';

function checkChannel(channel: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel > 2) {
    throw new RangeError(`channel ${channel} does not exist: channels are 0, 1 and 2`);
  }
}

/** Per cluster rank, the counts of each value 0..255 of one converted channel. */
export function channelHistogram(result: SegmentResult, channel: number): Uint32Array[] {
  checkChannel(channel);
  const { labels, k } = result;
  const { data, offsets } = result.converted;
  const hist = Array.from({ length: k }, () => new Uint32Array(256));
  for (let p = 0, s = offsets[channel]!; p < labels.length; p++, s += 3) hist[labels[p]!]![data[s]!]!++;
  return hist;
}

export interface DensityScatter {
  /** Channel on the x axis and on the y axis (in the colour space's order). */
  cx: number;
  cy: number;
  bins: number;
  /** The channel values the bins span on each axis, inclusive: [0, 255], or the data's own range when fitted. */
  xRange: [number, number];
  yRange: [number, number];
  /** Pixels per bin, row-major with y (channel cy) as the row: index = by * bins + bx. */
  counts: Uint32Array;
  /** The rank with the most pixels in the bin (the lower rank on a tie), 255 if the bin is empty. */
  dominant: Uint8Array;
}

/** A bins x bins 2-D histogram of channels cx and cy; value v falls in bin floor(v * bins / 256). */
/** The smallest and largest value of one channel of 3-byte pixels. */
function valueRange(converted: ChannelImage, channel: number): [number, number] {
  const { data, offsets } = converted;
  let lo = 255;
  let hi = 0;
  for (let s = offsets[channel]!; s < data.length; s += 3) {
    const v = data[s]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo > hi ? [0, 255] : [lo, hi];
}

/** Bin of every byte value when `bins` bins span [lo, hi] (values outside are never looked up). */
function binTable(lo: number, hi: number, bins: number): Uint16Array {
  const table = new Uint16Array(256);
  const span = hi - lo + 1;
  for (let v = lo; v <= hi; v++) table[v] = Math.floor(((v - lo) * bins) / span);
  return table;
}

/**
 * `fit`: the bins span each channel's own range instead of 0-255, so data packed into a narrow
 * band (Lab's a and b on a plate, say) fills the plot instead of a corner.
 */
export function densityScatter(result: SegmentResult, cx: number, cy: number, bins = 64, fit = false): DensityScatter {
  checkChannel(cx);
  checkChannel(cy);
  if (!Number.isInteger(bins) || bins < 1 || bins > 256) {
    throw new RangeError(`bins ${bins} must be an integer from 1 to 256`);
  }
  const { labels, converted, k } = result;
  const { data, offsets } = converted;
  const ox = offsets[cx]!;
  const oy = offsets[cy]!;
  const cells = bins * bins;
  // Counts per (bin, rank): at most 256 * 256 * 255 entries, a few MB in the worst case.
  const perRank = new Uint32Array(cells * k);
  const xRange: [number, number] = fit ? valueRange(converted, cx) : [0, 255];
  const yRange: [number, number] = fit ? valueRange(converted, cy) : [0, 255];
  const xBin = binTable(xRange[0], xRange[1], bins);
  const yBin = binTable(yRange[0], yRange[1], bins);
  for (let p = 0, s = 0; p < labels.length; p++, s += 3) {
    const cell = yBin[data[s + oy]!]! * bins + xBin[data[s + ox]!]!;
    perRank[cell * k + labels[p]!]!++;
  }
  const counts = new Uint32Array(cells);
  const dominant = new Uint8Array(cells).fill(255);
  for (let c = 0; c < cells; c++) {
    let total = 0;
    let best = 0;
    for (let r = 0; r < k; r++) {
      const v = perRank[c * k + r]!;
      total += v;
      if (v > best) {
        best = v;
        dominant[c] = r;
      }
    }
    counts[c] = total;
  }
  return { cx, cy, bins, xRange, yRange, counts, dominant };
}

/** Standard deviation of one converted channel over all pixels. */
export function channelSpread(converted: ChannelImage, channel: number): number {
  checkChannel(channel);
  const { data, offsets } = converted;
  const n = data.length / 3;
  if (n === 0) return 0;
  let sum = 0;
  let sq = 0;
  for (let s = offsets[channel]!; s < data.length; s += 3) {
    const v = data[s]!;
    sum += v;
    sq += v * v;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}

export type SplitView =
  | { kind: 'histogram'; channel: number; histograms: Uint32Array[] }
  | { kind: 'scatter'; scatter: DensityScatter };

/**
 * The view that fits the selected channels: one channel, its per-cluster histogram; two, their
 * scatter; three, the scatter of the two with the widest spread (kept in the order selected, so
 * the axes do not swap when the spreads are close).
 */
export function splitView(result: SegmentResult, channels: readonly number[], bins = 64, fit = false): SplitView {
  channels.forEach(checkChannel);
  if (new Set(channels).size !== channels.length) {
    throw new RangeError(`channels ${channels.join(',')} repeat a channel`);
  }
  if (channels.length === 1) {
    const channel = channels[0]!;
    return { kind: 'histogram', channel, histograms: channelHistogram(result, channel) };
  }
  if (channels.length === 2) {
    return { kind: 'scatter', scatter: densityScatter(result, channels[0]!, channels[1]!, bins, fit) };
  }
  if (channels.length !== 3) {
    throw new RangeError(`${channels.length} channels selected: select 1, 2 or 3`);
  }
  const spread = channels.map((c) => channelSpread(result.converted, c));
  // Drop the narrowest; on a tie drop the one selected last.
  let narrowest = 2;
  for (let i = 1; i >= 0; i--) if (spread[i]! < spread[narrowest]!) narrowest = i;
  const [cx, cy] = channels.filter((_, i) => i !== narrowest) as [number, number];
  return { kind: 'scatter', scatter: densityScatter(result, cx, cy, bins, fit) };
}
