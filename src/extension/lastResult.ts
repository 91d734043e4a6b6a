// The panel's newest finished run, kept for Save and Export, and the rule that keeps it from
// going stale when the image changes on disk: a run started before the change is not kept (nor
// shown), and a kept result is reused only for the pixels it was computed from (their key).
// No `vscode` here, so the rule is unit-tested.

export class LastResult<P, R> {
  private generation = 0;
  private last: { params: P; result: R; key: string } | undefined;

  /** Taken when a run starts; `isCurrent` later tells whether the file changed since. */
  get stamp(): number {
    return this.generation;
  }

  isCurrent(stamp: number): boolean {
    return stamp === this.generation;
  }

  /** The file changed or went: earlier runs are stale, the kept result is dropped. */
  fileChanged(): void {
    this.generation++;
    this.last = undefined;
  }

  /** Keeps a finished run's result, unless the file changed after it started; says whether it kept it. */
  keep(stamp: number, params: P, result: R, key: string): boolean {
    if (!this.isCurrent(stamp)) return false;
    this.last = { params, result, key };
    return true;
  }

  /** The kept result if it was computed from the pixels named `key` with parameters `same` as `params`. */
  reuse(params: P, key: string, same: (a: P, b: P) => boolean): R | undefined {
    const last = this.last;
    return last && last.key === key && same(last.params, params) ? last.result : undefined;
  }

  clear(): void {
    this.last = undefined;
  }
}
