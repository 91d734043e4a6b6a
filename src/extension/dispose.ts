// Ownership of what a panel or a provider creates: each thing it registers is disposed with it,
// in reverse order, once. As VS Code's own extensions do (a Disposable base with _register).
// Shaped like vscode.Disposable, without importing vscode, so vscode-free classes can use it.

export interface DisposableLike {
  dispose(): unknown;
}

export function disposeAll(items: DisposableLike[]): void {
  const errors: unknown[] = [];
  for (const item of items.splice(0).reverse()) {
    try {
      item.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
}

export abstract class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposedFlag = false;

  protected get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Disposes `item` with this object (at once, if this object is already disposed). */
  protected _register<T extends DisposableLike>(item: T): T {
    if (this.disposedFlag) item.dispose();
    else this.owned.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    disposeAll(this.owned);
  }
}
