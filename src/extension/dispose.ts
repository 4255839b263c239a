/** Ownership of registrations, after microsoft/vscode-hexeditor src/dispose.ts. */
export interface IDisposable {
  dispose(): void;
}

/** Owns a set of disposables; disposing it disposes them all, newest first, once. */
export class Disposable implements IDisposable {
  private readonly owned: IDisposable[] = [];
  private disposed = false;

  protected _register<T extends IDisposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.owned.push(d);
    return d;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // one failing dispose must not leak the rest
      }
    }
  }
}

/** A swappable owned value: setting a new one disposes the old. */
export class DisposableValue<T extends IDisposable> implements IDisposable {
  private current: T | undefined;
  get value(): T | undefined {
    return this.current;
  }
  set value(v: T | undefined) {
    if (this.current === v) return;
    this.current?.dispose();
    this.current = v;
  }
  dispose(): void {
    this.value = undefined;
  }
}
