// A batch worker's big pixel buffers, kept from one image to the next. glibc maps every buffer
// over 32 MB afresh and unmaps it when freed, so each image's decoded picture (36 MB at 12 MP),
// converted copy (36 MB, for colour spaces other than BGR) and labels (12 MB) were fresh memory, and on this project's VM the first
// touch of a fresh page costs ~12 us: 21,000 page faults an image, a quarter of a second of a
// 1.5-second photo. Page faults of the two workers also slow the editor's own process
// starts (VS Code's extension host forks `ps` and `ls` every few seconds to find ports), which
// paused its event loop up to 0.1 s during a batch of photos.
//
// Only what one image needs is kept: what the image before did not use again is let go, so a
// large image's buffers do not stay for a folder of small ones.
import type { Alloc } from '../bytes';

/** Smaller buffers come and go through the JavaScript heap, which reuses its memory anyway. */
const MIN_BYTES = 1 << 20;

export class ImageArena {
  /** Free for this image: what the image before used. */
  private free: ArrayBuffer[] = [];
  /** Handed out for this image. */
  private used: ArrayBuffer[] = [];
  private fresh = 0;

  /** n zeroed bytes: a kept buffer when one fits (at most twice the size), fresh otherwise. */
  readonly alloc: Alloc = (n) => {
    if (n < MIN_BYTES) return new Uint8Array(n);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength;
      if (size >= n && size <= 2 * n && (best < 0 || size < this.free[best]!.byteLength)) best = i;
    }
    if (best < 0) this.fresh += n;
    const buffer = best >= 0 ? this.free.splice(best, 1)[0]! : new ArrayBuffer(n);
    this.used.push(buffer);
    const view = new Uint8Array(buffer, 0, n);
    if (best >= 0) view.fill(0);
    return view;
  };

  /**
   * The image is done with every buffer it was given (nothing of them is kept past this): they
   * serve the next image; those it did not use are let go.
   */
  nextImage(): void {
    this.free = this.used;
    this.used = [];
  }

  /** Bytes held now, and bytes it ever allocated afresh (tests). */
  stats(): { held: number; fresh: number } {
    return { held: [...this.free, ...this.used].reduce((sum, b) => sum + b.byteLength, 0), fresh: this.fresh };
  }
}
