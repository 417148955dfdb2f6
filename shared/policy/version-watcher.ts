/**
 * A value a process keeps in step with a version in the store (the data policy set, the control bundle in force).
 * The store is asked for the version at most once per refresh interval, and the value is reloaded when the version
 * moved; invalidate() (a write made by this process) makes the next get() ask at once. One refresh runs at a time:
 * concurrent callers wait for it. A refresh that began before an invalidate() does not count as fresh.
 */
export class VersionWatcher<T extends { readonly version: number }> {
  private current: T | undefined;
  private checkedAt = 0;
  private pending: Promise<T> | undefined;
  private generation = 0;

  constructor(
    private readonly refreshMs: number,
    private readonly readVersion: () => Promise<number>,
    private readonly load: () => Promise<T>,
  ) {}

  /**
   * The value as last loaded, without asking the store whether it moved (undefined before the first load): for a
   * caller that must not wait on the store (it holds a transaction: see ControlPolicyAuthorizer.authorizeAsLoaded).
   */
  loaded(): T | undefined {
    return this.current;
  }

  invalidate(): void {
    this.checkedAt = 0;
    this.generation += 1;
  }

  async get(now = Date.now()): Promise<T> {
    if (this.current && now - this.checkedAt < this.refreshMs) return this.current;
    this.pending ??= this.refresh(now).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(now: number): Promise<T> {
    const generation = this.generation;
    // The first load needs no version check: the loaded value carries its own.
    if (!this.current || (await this.readVersion()) !== this.current.version) this.current = await this.load();
    if (generation === this.generation) this.checkedAt = now;
    return this.current;
  }
}
