// Our k-means (distinctValues + kmeans, 40 restarts, maxIter 500) against sklearn's KMeans.fit
// on the benchmark cases, at width 300. Run: node --import tsx bench/kmeans-compare.ts
//   [--fresh-sklearn]  re-run reference.py even when a cached result exists
//   [--warm N]         warm repetitions per case (default 5; the median is reported)
//   [--only SUBSTR]    only cases whose name contains SUBSTR
// Features and sklearn results are cached in $KMEANS_BENCH_DIR (default /tmp/kmeans-bench).
// "cold" is the first call in a fresh Node process (JIT not warmed up), timed inside it.
// Times are wall clock; the machine is shared, so expect noise: compare ratios, rerun if odd.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distinctValues, kmeans } from '../src/core/kmeans/index';

const IMAGES = ['astronaut', 'chelsea', 'coffee', 'fruits', 'linuxlogo', 'rocket', 'smarties'];
const SETS: [space: string, channels: string, ks: number[]][] = [
  ['bgr', 'all', [3, 5, 8]],
  ['hsv', '02', [3, 5]],
  ['lab', '12', [3, 5]],
  ['ycrcb', '1', [2]],
];
const WIDTH = 300;
const N_INIT = 40;
const MAX_ITER = 500;
const SEED = 0;
const PY = '/usr/bin/python3';
const REF = '/work/shared/reference/reference.py';
const IMG_DIR = '/work/shared/images';

interface ChildResult {
  coldMs: number;
  warmMs: number[];
  inertia: number;
  distinct: number;
  restart: number;
}

function child(file: string, d: number, k: number, warm: number): void {
  const features = new Uint8Array(readFileSync(file));
  const once = () => {
    const t0 = performance.now();
    const dv = distinctValues(features, d);
    // the caller caps k to the number of distinct values (sklearn warns and duplicates centres)
    const r = kmeans(dv.points, dv.weights, d, { k: Math.min(k, dv.count), nInit: N_INIT, maxIter: MAX_ITER, tol: 1e-4, seed: SEED });
    return { ms: performance.now() - t0, r, m: dv.count };
  };
  const first = once();
  const warmMs: number[] = [];
  for (let i = 0; i < warm; i++) warmMs.push(once().ms);
  const out: ChildResult = { coldMs: first.ms, warmMs, inertia: first.r.inertia, distinct: first.m, restart: first.r.restart };
  process.stdout.write(JSON.stringify(out) + '\n');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1], Number(args[2]), Number(args[3]), Number(args[4]));
    return;
  }
  const fresh = args.includes('--fresh-sklearn');
  const warmIdx = args.indexOf('--warm');
  const warm = warmIdx >= 0 ? Number(args[warmIdx + 1]) : 5;
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1] : '';
  const dir = process.env.KMEANS_BENCH_DIR ?? '/tmp/kmeans-bench';
  mkdirSync(dir, { recursive: true });
  const self = fileURLToPath(import.meta.url);

  const rows: { name: string; cold: number; warm: number; sk: number; ratioCold: number; ratioWarm: number; inertiaRatio: number }[] = [];
  console.log('case                          m   cold ms  warm ms  sklearn ms  sk/cold  sk/warm  inertia ours/sk');
  for (const img of IMAGES) {
    for (const [space, ch, ks] of SETS) {
      const d = ch === 'all' ? 3 : ch.length;
      const base = join(dir, `${img}-${space}-${ch}`);
      for (const k of ks) {
        const name = `${img} ${space}/${ch} k=${k}`;
        if (only && !name.includes(only)) continue;
        const skFile = `${base}-k${k}.json`;
        let sk: { inertia: number; fit_s: number };
        if (fresh || !existsSync(skFile) || !existsSync(`${base}.bin`)) {
          const out = execFileSync(PY, [REF, '-i', join(IMG_DIR, `${img}.png`), '-w', String(WIDTH), '-s', space, '-c', ch,
            '-n', String(k), '--seed', String(SEED), '--dump', `${base}.bin`], { encoding: 'utf8', cwd: dir });
          const line = out.trim().split('\n').pop()!;
          execFileSync('sh', ['-c', 'cat > "$1"', 'sh', skFile], { input: line + '\n' });
          sk = JSON.parse(line);
        } else {
          sk = JSON.parse(readFileSync(skFile, 'utf8'));
        }
        const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', `${base}.bin`, String(d), String(k), String(warm)], {
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`${name}: child failed: ${r.stderr}`);
        const res: ChildResult = JSON.parse(r.stdout.trim().split('\n').pop()!);
        const skMs = sk.fit_s * 1000;
        const w = median(res.warmMs);
        const row = { name, cold: res.coldMs, warm: w, sk: skMs, ratioCold: skMs / res.coldMs, ratioWarm: skMs / w, inertiaRatio: sk.inertia === 0 ? (res.inertia === 0 ? 1 : Infinity) : res.inertia / sk.inertia };
        rows.push(row);
        console.log(
          `${name.padEnd(26)} ${String(res.distinct).padStart(6)} ${res.coldMs.toFixed(1).padStart(8)} ${w.toFixed(1).padStart(8)} ` +
            `${skMs.toFixed(0).padStart(10)} ${row.ratioCold.toFixed(1).padStart(8)} ${row.ratioWarm.toFixed(1).padStart(8)}  ${row.inertiaRatio.toFixed(6)}`,
        );
      }
    }
  }
  if (rows.length === 0) return;
  const within = (x: number) => rows.filter((r) => r.inertiaRatio <= 1 + x).length;
  console.log('');
  console.log(`cases: ${rows.length}`);
  console.log(`speed-up cold: median ${median(rows.map((r) => r.ratioCold)).toFixed(1)}x, worst ${Math.min(...rows.map((r) => r.ratioCold)).toFixed(1)}x`);
  console.log(`speed-up warm: median ${median(rows.map((r) => r.ratioWarm)).toFixed(1)}x, worst ${Math.min(...rows.map((r) => r.ratioWarm)).toFixed(1)}x`);
  console.log(`inertia <= sklearn*1.001: ${within(0.001)}/${rows.length}; <= *1.01: ${within(0.01)}/${rows.length}; worst ratio ${Math.max(...rows.map((r) => r.inertiaRatio)).toFixed(6)}`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average now: ${load} (2 shared cores: timings are noisy; sklearn times are from when its result was cached unless --fresh-sklearn)`);
}

main();
