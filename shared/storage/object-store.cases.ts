import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConflictError, StorageNotFoundError, childLocation, type ObjectStore } from './object-store.js';
import { StorageRoot, type StoragePath } from './storage-path.js';

/**
 * What every ObjectStore must do, as one case suite that object-store.test.ts runs against each implementation
 * (LocalObjectStore always, S3ObjectStore against a real S3-compatible server), so the catalog can rely on the port
 * and not on whichever store a warehouse happens to use.
 */
export interface ObjectStoreHarness {
  readonly store: ObjectStore;
  /** A fresh, empty location that only this suite writes under. */
  readonly root: string;
  /** Other spellings of a location that must name the same object (file:/x for file:///x, s3a:// for s3://). */
  aliases(location: string): string[];
  /** The objects under a location as keys relative to it, sorted; read behind the store's back. */
  list(location: string): Promise<string[]>;
  close(): Promise<void>;
}

async function inParallel<T>(items: readonly T[], width: number, each: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}

export function objectStoreCases(name: string, open: () => Promise<ObjectStoreHarness>): void {
  describe(`ObjectStore cases: ${name}`, () => {
    let h: ObjectStoreHarness;
    let store: ObjectStore;
    let root: StorageRoot;
    const at = (...parts: string[]) => root.resolve(childLocation(h.root, ...parts));
    const aliasesOf = (location: StoragePath) => h.aliases(location.location).map((a) => root.resolve(a));
    const list = (location: StoragePath) => h.list(location.location);

    beforeAll(async () => {
      h = await open();
      store = h.store;
      root = new StorageRoot(h.root);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('reads back what writeNew wrote, byte for byte, strings as UTF-8', async () => {
      const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
      await store.writeNew(at('rw', 'binary.bin'), binary);
      expect((await store.read(at('rw', 'binary.bin'))).equals(binary)).toBe(true);
      await store.writeNew(at('rw', 'deep', 'er', 'text.json'), '{"name":"Zoë ✓"}');
      expect((await store.read(at('rw', 'deep', 'er', 'text.json'))).toString('utf8')).toBe('{"name":"Zoë ✓"}');
      // Partition folders as Iceberg writers name them.
      await store.writeNew(at('rw', 'data', 'ts_day=2024-01-01', 'part 0.parquet'), 'p');
      expect((await store.read(at('rw', 'data', 'ts_day=2024-01-01', 'part 0.parquet'))).toString()).toBe('p');
      await store.writeNew(at('rw', 'empty'), '');
      expect((await store.read(at('rw', 'empty'))).length).toBe(0);
    });

    it('writeNew refuses to replace an object (StorageConflictError) and the first one stays', async () => {
      const loc = at('conflict', '00000-a.metadata.json');
      await store.writeNew(loc, 'first');
      await expect(store.writeNew(loc, 'second')).rejects.toBeInstanceOf(StorageConflictError);
      for (const alias of aliasesOf(loc)) await expect(store.writeNew(alias, 'third')).rejects.toBeInstanceOf(StorageConflictError);
      expect((await store.read(loc)).toString()).toBe('first');
    });

    it('of writers racing for one new object exactly one wins', async () => {
      const loc = at('race', '00001.metadata.json');
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.writeNew(loc, `writer ${i}`)));
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(StorageConflictError);
      expect((await store.read(loc)).toString()).toBe(`writer ${won[0]}`);
    });

    it('reading a missing object is StorageNotFoundError; a folder is not an object', async () => {
      await expect(store.read(at('missing', 'nothing.json'))).rejects.toBeInstanceOf(StorageNotFoundError);
      await store.writeNew(at('missing', 'folder', 'child'), 'c');
      await expect(store.read(at('missing', 'folder'))).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(store.read(at('never', 'was', 'here'))).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it('exists: an object yes; a missing one or a folder no', async () => {
      await store.writeNew(at('exists', 'dir', 'file'), 'x');
      expect(await store.exists(at('exists', 'dir', 'file'))).toBe(true);
      expect(await store.exists(at('exists', 'dir', 'other'))).toBe(false);
      expect(await store.exists(at('exists', 'dir'))).toBe(false);
      expect(await store.exists(at('exists', 'di'))).toBe(false);
    });

    it('deleteObject deletes one object; a missing one or a folder is no error and takes nothing else', async () => {
      await store.writeNew(at('del', 'a'), 'a');
      await store.writeNew(at('del', 'ab'), 'ab');
      await store.writeNew(at('del', 'a.json'), 'j');
      await store.writeNew(at('del', 'dir', 'x'), 'x');
      await store.deleteObject(at('del', 'a'));
      expect(await store.exists(at('del', 'a'))).toBe(false);
      await store.deleteObject(at('del', 'a'));
      await store.deleteObject(at('del', 'dir'));
      await store.deleteObject(at('nowhere', 'at', 'all'));
      expect(await list(at('del'))).toEqual(['a.json', 'ab', 'dir/x']);
    });

    it('deletePrefix deletes everything under a folder, at every depth, and counts it', async () => {
      const files = [
        'metadata/00000-a.metadata.json',
        'metadata/snap-1.avro',
        'data/ts_day=2024-01-01/part-0.parquet',
        'data/ts_day=2024-01-02/deeper/part-1.parquet',
        'top',
      ];
      for (const f of files) await store.writeNew(at('purge', 'tbl', ...f.split('/')), f);
      await store.writeNew(at('purge', 'keep'), 'k');
      expect(await store.deletePrefix(at('purge', 'tbl'))).toBe(files.length);
      expect(await list(at('purge'))).toEqual(['keep']);
      expect(await store.deletePrefix(at('purge', 'tbl'))).toBe(0);
      expect(await store.deletePrefix(at('purge', 'never-was'))).toBe(0);
      // A trailing slash names the same folder.
      await store.writeNew(at('purge', 'slash', 'x'), 'x');
      expect(await store.deletePrefix(root.resolve(`${at('purge', 'slash').location}/`))).toBe(1);
      expect(await list(at('purge'))).toEqual(['keep']);
    });

    it('deletePrefix respects path boundaries: t1 is not t10, t1.json or t1-x, and the object t1 itself goes', async () => {
      for (const f of ['t1/metadata/m.json', 't1/data/d.parquet', 't10/metadata/m.json', 't1.json', 't1-x/data/d.parquet', 't2/d']) {
        await store.writeNew(at('bound', ...f.split('/')), f);
      }
      expect(await store.deletePrefix(at('bound', 't1'))).toBe(2);
      expect(await list(at('bound'))).toEqual(['t1-x/data/d.parquet', 't1.json', 't10/metadata/m.json', 't2/d']);
      // A location that is an object is deleted like the folder of the same name would be; its neighbours stay.
      expect(await store.deletePrefix(at('bound', 't1.json'))).toBe(1);
      expect(await store.deletePrefix(at('bound', 't1'))).toBe(0);
      expect(await list(at('bound'))).toEqual(['t1-x/data/d.parquet', 't10/metadata/m.json', 't2/d']);
    });

    it('deletePrefix deletes more than 1000 objects (past one listing page and one delete batch)', async () => {
      const files = Array.from({ length: 1100 }, (_, i) => at('many', 'tbl', 'data', `bucket=${i % 3}`, `part-${String(i).padStart(5, '0')}.parquet`));
      await inParallel(files, 16, (f) => store.writeNew(f, 'x'));
      await store.writeNew(at('many', 'tbl0', 'survivor'), 's');
      expect(await store.deletePrefix(at('many', 'tbl'))).toBe(files.length);
      expect(await list(at('many'))).toEqual(['tbl0/survivor']);
    }, 120_000);

    it('every spelling of a location names the same object', async () => {
      const loc = at('alias', 'dir', 'obj.json');
      await store.writeNew(loc, 'same');
      for (const alias of aliasesOf(loc)) {
        expect((await store.read(alias)).toString()).toBe('same');
        expect(await store.exists(alias)).toBe(true);
      }
      for (const alias of aliasesOf(at('alias', 'dir', 'other.json'))) {
        await store.writeNew(alias, 'via alias');
        expect((await store.read(at('alias', 'dir', 'other.json'))).toString()).toBe('via alias');
        await store.deleteObject(alias);
        expect(await store.exists(at('alias', 'dir', 'other.json'))).toBe(false);
      }
      const [prefixAlias] = aliasesOf(at('alias', 'dir'));
      if (prefixAlias) {
        expect(await store.deletePrefix(prefixAlias)).toBe(1);
        expect(await store.exists(loc)).toBe(false);
      }
    });
  });
}
