import { readFileSync } from 'node:fs';
import { decodeImage } from '../src/core/decode';
const bytes = new Uint8Array(readFileSync('/tmp/p24.jpg'));
for (let i = 0; i < 2; i++) {
const t0 = performance.now();
const img = await decodeImage(bytes.slice(), 'p24.jpg');
console.log('decode main', performance.now() - t0, img.width);
}
