// A stream of runs where only the newest matters (a panel's parameter changes). A new run aborts
// the one in flight; while that one is still letting go (its worker stopping), newer runs wait
// in a single place, each replacing the one before, which then never starts. So a flood of
// requests costs one run in flight and one waiting, whatever its rate. No `vscode` here: the
// load tests drive this class as the panel does.

/** One run. It handles its own errors; its promise settles once it no longer holds a worker. */
export type RunTask = (signal: AbortSignal) => Promise<void>;

export class LatestRun {
  private current: AbortController | undefined;
  private inFlight: Promise<void> | undefined;
  private waiting: { task: RunTask; dropped?: () => void } | undefined;

  /** Starts `task` now, or once the run in flight has stopped; `dropped` runs if a newer one replaces it first. */
  submit(task: RunTask, dropped?: () => void): void {
    this.current?.abort();
    this.dropWaiting();
    if (this.inFlight) this.waiting = { task, dropped };
    else this.start(task);
  }

  /** Aborts the run in flight (a waiting one still starts after it). */
  abortCurrent(): void {
    this.current?.abort();
  }

  /** Aborts the run in flight and drops the waiting one. */
  cancel(): void {
    this.current?.abort();
    this.dropWaiting();
  }

  /** Whether a run waits for the one in flight to stop. */
  get pending(): boolean {
    return this.waiting !== undefined;
  }

  /** Settles once nothing is in flight or waiting. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private dropWaiting(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.dropped?.();
  }

  private start(task: RunTask): void {
    const abort = new AbortController();
    this.current = abort;
    this.inFlight = Promise.resolve()
      .then(() => task(abort.signal))
      .then(undefined, () => undefined)
      .then(() => {
        if (this.current === abort) this.current = undefined;
        this.inFlight = undefined;
        const next = this.waiting;
        this.waiting = undefined;
        if (next) this.start(next.task);
      });
  }
}
