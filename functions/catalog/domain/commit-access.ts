/**
 * The write accesses a table commit needs, by what it changes (issue 3 of 5: "commit needs the write access that
 * matches the update"). A new snapshot is judged by its operation: append adds rows (insert), overwrite replaces
 * them (update), delete removes them (delete); replace rewrites files without changing rows (compaction), which is
 * table maintenance (alter). Every other update changes the table's definition or bookkeeping (alter).
 */
export type CommitAccess = 'insert' | 'update' | 'delete' | 'alter';

const BY_OPERATION: Record<string, CommitAccess> = { append: 'insert', overwrite: 'update', delete: 'delete', replace: 'alter' };

interface UpdateLike {
  readonly action: string;
  readonly snapshot?: { readonly summary?: { readonly operation?: unknown } };
}

export function accessesForCommit(updates: readonly UpdateLike[]): CommitAccess[] {
  const needed = new Set<CommitAccess>();
  for (const u of updates) {
    if (u.action === 'add-snapshot') {
      const op = u.snapshot?.summary?.operation;
      needed.add((typeof op === 'string' ? BY_OPERATION[op] : undefined) ?? 'update');
    } else if (u.action === 'set-snapshot-ref' || u.action === 'remove-snapshot-ref') {
      // Moving a branch publishes (or withdraws) data the snapshot's own access was checked for; on its own it
      // changes what readers see, as an overwrite does.
      if (!updates.some((x) => x.action === 'add-snapshot')) needed.add('update');
    } else {
      needed.add('alter');
    }
  }
  if (needed.size === 0) needed.add('alter');
  return [...needed].sort();
}
