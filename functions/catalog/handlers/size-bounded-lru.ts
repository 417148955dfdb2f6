/**
 * Entries kept up to a bound on their total size (characters of metadata text, in the catalog's caches), the least
 * recently used evicted first. An entry above a tenth of the bound is not kept at all: one huge table must not push
 * out every other.
 */
export class SizeBoundedLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(private readonly maxSize: number) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Most recently used last, so eviction takes the coldest first.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Whether `value` is what is kept under `key` now (it may have been evicted, or never kept). */
  holds(key: string, value: V): boolean {
    return this.entries.get(key)?.value === value;
  }

  /** Keeps `value` under `key`, replacing what was there; nothing is kept when it is too large. */
  set(key: string, value: V, size: number): void {
    this.delete(key);
    if (size > this.maxSize / 10) return;
    this.makeRoom(size);
    this.entries.set(key, { value, size });
    this.total += size;
  }

  /** Counts `extra` more for `value` (something derived from it and kept with it), if it is still kept. */
  grow(key: string, value: V, extra: number): void {
    if (!this.holds(key, value)) return;
    this.makeRoom(extra);
    const entry = this.entries.get(key);
    if (entry?.value !== value) return; // evicted to make the room
    entry.size += extra;
    this.total += extra;
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.total -= old.size;
  }

  private makeRoom(room: number): void {
    for (const key of this.entries.keys()) {
      if (this.total + room <= this.maxSize) return;
      this.delete(key);
    }
  }
}
