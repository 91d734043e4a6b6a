// Builds the scratch workspace the scenarios run in: real photos from media/samples (some made
// smaller so K-means runs stay short on a 2-core machine), a JPEG, a corrupt "PNG" and a folder
// for the batch command.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Jimp } from 'jimp';
import { ROOT, SAMPLES_DIR } from './paths.mjs';

export const CORRUPT_BYTES = 'this is not an image, just text with a .png name\n';

/** Settings that keep every run short; the scenarios change parameters in the panel itself. */
export const WORKSPACE_SETTINGS = {
  'kmeansSegmentation.nInit': 2,
  'kmeansSegmentation.maxIter': 100,
  'kmeansSegmentation.clusters': 3,
  'kmeansSegmentation.width': 0,
};

async function shrink(src, dest, width) {
  const img = await Jimp.read(src);
  img.resize({ w: width });
  await img.write(dest, dest.endsWith('.jpg') ? { quality: 90 } : undefined);
}

/** Creates (wiping) `dir` and returns the paths the scenarios use. */
export async function makeWorkspace(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  mkdirSync(join(dir, 'batch'), { recursive: true });
  writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2));
  const ws = {
    dir,
    chelsea: join(dir, 'chelsea.png'),
    coffee: join(dir, 'coffee.png'),
    rocket: join(dir, 'rocket.jpg'),
    broken: join(dir, 'broken.png'),
    // a WebP as OpenCV writes it (61x43, lossy), which VS Code's image preview shows
    webp: join(dir, 'cat.webp'),
    batchDir: join(dir, 'batch'),
    batchGood: ['astronaut.png', 'coffee.jpg', 'ishihara.png'].map((n) => join(dir, 'batch', n)),
    batchBroken: join(dir, 'batch', 'corrupt.png'),
  };
  copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), ws.chelsea);
  await shrink(join(SAMPLES_DIR, 'coffee.png'), ws.coffee, 300);
  copyFileSync(join(SAMPLES_DIR, 'rocket.jpg'), ws.rocket);
  writeFileSync(ws.broken, CORRUPT_BYTES);
  copyFileSync(join(ROOT, 'test', 'fixtures', 'codecs', 'webp-lossy-cv2.webp'), ws.webp);
  await shrink(join(SAMPLES_DIR, 'astronaut.png'), ws.batchGood[0], 160);
  await shrink(join(SAMPLES_DIR, 'coffee.png'), ws.batchGood[1], 180);
  await shrink(join(SAMPLES_DIR, 'ishihara-5.png'), ws.batchGood[2], 150);
  writeFileSync(ws.batchBroken, CORRUPT_BYTES);
  return ws;
}
