// Draws media/icon.png (128x128): a colourful "photo" on the left, its 3-cluster gray
// segmentation on the right, split by the composite's gray strip. Run: node scripts/make-icon.mjs
import { Jimp } from 'jimp';

const SIZE = 128;
const STRIP = 8;
const half = (SIZE - STRIP) / 2;
const img = new Jimp({ width: SIZE, height: SIZE, color: 0x00000000 });

// Three soft colour regions: sky, sun, ground; cluster rank by region size (largest = black).
function region(x, y) {
  const dx = x - half * 0.68;
  const dy = y - SIZE * 0.32;
  if (dx * dx + dy * dy < 16 * 16) return 2;
  return y > SIZE * 0.58 + 8 * Math.sin(x / 9) ? 1 : 0;
}
const colours = [
  [52, 120, 214],
  [74, 168, 82],
  [250, 196, 40],
];
const grays = [0, 127, 254];
const radius = 18;

function inside(x, y) {
  // Rounded square mask.
  const cx = Math.min(Math.max(x, radius), SIZE - 1 - radius);
  const cy = Math.min(Math.max(y, radius), SIZE - 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
}

for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    if (!inside(x, y)) continue;
    let rgb;
    if (x < half) {
      const r = region(x, y);
      const shade = 1 - 0.25 * (y / SIZE);
      rgb = colours[r].map((c) => Math.round(c * shade));
    } else if (x < half + STRIP) {
      rgb = [193, 193, 193];
    } else {
      const g = grays[region(x - half - STRIP, y)];
      rgb = [g, g, g];
    }
    const [r, g, b] = rgb;
    img.setPixelColor(((r << 24) | (g << 16) | (b << 8) | 255) >>> 0, x, y);
  }
}

await img.write('media/icon.png');
console.log('wrote media/icon.png');
