// The progress line of a batch on a terminal: one line on stderr, rewritten in place (twice a
// second, so that the time left counts down between images), taken away while other lines are
// printed. Not used when stderr is not a terminal: logs get plain lines only.
import { progressOf, type BatchProgress } from '../core/batch/engine';
import { progressText } from '../core/batch/progress';

const CLEAR = '\r\x1b[K';

export class ProgressLine {
  private shown = false;
  private last: BatchProgress | undefined;
  private lastAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    total: number,
  ) {
    this.last = progressOf({ total, done: 0, failed: 0, skipped: 0, running: 0 }, 0);
    this.lastAt = performance.now();
    this.timer = setInterval(() => this.draw(), 500);
    this.timer.unref();
    this.draw();
  }

  update(p: BatchProgress): void {
    this.last = p;
    this.lastAt = performance.now();
    this.draw();
  }

  /** Prints `text` (whole lines) on `out` with the progress line out of the way. */
  print(out: NodeJS.WriteStream, text: string): void {
    this.clear();
    out.write(text);
    this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
    this.last = undefined;
  }

  private clear(): void {
    if (this.shown) this.stream.write(CLEAR);
    this.shown = false;
  }

  private draw(): void {
    if (!this.last) return;
    // the rate holds between images; the time left goes down with the clock
    const since = performance.now() - this.lastAt;
    const p = this.last.etaMs === undefined ? this.last : { ...this.last, etaMs: Math.max(0, this.last.etaMs - since) };
    const text = progressText(p).slice(0, Math.max(20, (this.stream.columns || 80) - 1));
    this.stream.write(`${CLEAR}${text}`);
    this.shown = true;
  }
}
