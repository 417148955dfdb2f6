import type { Executor } from '../../../shared/db/index.js';

export interface AnnotatedColumn {
  field_id: number;
  path: string;
  doc: string | null;
  type: string;
  required: boolean;
  description: string | null;
  tags: string[];
  /** Attributes of its tags, by tag name (only tags that have some). */
  tag_attributes: Record<string, Record<string, string>>;
  version: number;
  updated_at: Date | null;
}

function columnsOf(db: Executor, objectId: string) {
  return db
    .selectFrom('catalog_columns as c')
    .leftJoin('catalog_column_annotations as a', (join) => join.onRef('a.object_id', '=', 'c.object_id').onRef('a.field_id', '=', 'c.field_id'))
    .select(['c.field_id', 'c.path', 'c.doc', 'c.type', 'c.required', 'a.description', 'a.tags', 'a.tag_attributes', 'a.version', 'a.updated_at'])
    .where('c.object_id', '=', objectId);
}

function annotated(row: {
  field_id: number;
  path: string;
  doc: string | null;
  type: string;
  required: boolean;
  description: string | null;
  tags: string[] | null;
  tag_attributes: Record<string, Record<string, string>> | null;
  version: number | null;
  updated_at: Date | null;
}): AnnotatedColumn {
  return { ...row, tags: row.tags ?? [], tag_attributes: row.tag_attributes ?? {}, version: row.version ?? 0 };
}

/** The columns of an object's current schema, in schema order, each with its annotations (version 0 when none). */
export async function listAnnotatedColumns(db: Executor, objectId: string): Promise<AnnotatedColumn[]> {
  return (await columnsOf(db, objectId).orderBy('c.ordinal').execute()).map(annotated);
}

/** A column of the current schema by its full name. */
export async function findAnnotatedColumn(db: Executor, objectId: string, path: string): Promise<AnnotatedColumn | undefined> {
  const row = await columnsOf(db, objectId).where('c.path', '=', path).executeTakeFirst();
  return row ? annotated(row) : undefined;
}
