/**
 * Commits to one table from one process take turns. Without turns, every writer that loaded the table's latest
 * metadata builds and writes a new metadata file on it, and all but one then lose the compare-and-set and throw
 * their work away: on a busy table that is most of the CPU, and it slows the one that wins. In turn, each commit
 * starts from what the one before it made (kept parsed, commit-base-cache.ts), and one whose requirements that no
 * longer meets is refused before it writes anything. Nothing is held in the database while a commit waits here;
 * replicas still race, and the compare-and-set decides between them.
 */
export class CommitLanes {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Waits for the turn on every key (in sorted order, so two commits over the same tables cannot wait on each
   * other); the returned function ends the turn.
   */
  async enter(keys: readonly string[]): Promise<() => void> {
    const releases: Array<() => void> = [];
    for (const key of [...new Set(keys)].sort()) releases.push(await this.enterOne(key));
    return () => {
      for (const release of releases.reverse()) release();
    };
  }

  private async enterOne(key: string): Promise<() => void> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => mine) : mine;
    this.tails.set(key, tail);
    if (previous) await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
