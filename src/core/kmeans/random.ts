// Each restart owns a generator derived from (seed, restart index) alone, so any split of the
// restarts over workers draws exactly the numbers a single run would.

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** xoshiro128** seeded through splitmix32 from (seed, restart). */
export class RestartRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, restart: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let h = mix32(lo ^ 0x9e3779b9);
    h = mix32(h ^ Math.imul(hi + 0x7f4a7c15, 0x27d4eb2f));
    h = mix32(h ^ Math.imul(restart + 1, 0x165667b1));
    // splitmix32 stream fills the state; it can never be all zero.
    let z = h;
    const next = (): number => {
      z = (z + 0x9e3779b9) | 0;
      return mix32(z);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = rotl(n3, 11);
    return result;
  }

  /** The four state words, for a generator that continues this one elsewhere (WebAssembly). */
  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}
