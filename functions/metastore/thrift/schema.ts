import { TType, type TTypeId } from './binary-protocol.js';

/**
 * Thrift types as values, from which both the codec (codec.ts) and the TypeScript types are derived: a struct is
 * declared once, as Hive's IDL declares it (field ids and types), and `Infer<typeof X>` is its TypeScript type, as
 * a body schema's type is derived from it elsewhere in the platform. Only what the metastore serves is declared
 * (hms-schema.ts); a field we do not declare is skipped on reading and never written.
 */
export type Desc =
  | { readonly kind: 'bool' }
  | { readonly kind: 'byte' }
  | { readonly kind: 'i16' }
  | { readonly kind: 'i32' }
  | { readonly kind: 'i64' }
  | { readonly kind: 'double' }
  | { readonly kind: 'string' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'list'; readonly of: Desc }
  | { readonly kind: 'set'; readonly of: Desc }
  | { readonly kind: 'map'; readonly key: Desc; readonly value: Desc }
  | { readonly kind: 'struct'; readonly struct: StructDef };

/** A field: its id, its type, and whether a value must be present (Thrift's `required`). */
export interface FieldDef {
  readonly id: number;
  readonly type: Desc;
  readonly required: boolean;
}

export interface StructDef<F extends Record<string, FieldDef> = Record<string, FieldDef>> {
  readonly name: string;
  readonly fields: F;
  /** The fields by id, for reading. */
  readonly byId: ReadonlyMap<number, readonly [string, FieldDef]>;
  /** A union: exactly one field is set. */
  readonly union: boolean;
}

export const t = {
  bool: { kind: 'bool' },
  byte: { kind: 'byte' },
  i16: { kind: 'i16' },
  i32: { kind: 'i32' },
  i64: { kind: 'i64' },
  double: { kind: 'double' },
  string: { kind: 'string' },
  binary: { kind: 'binary' },
  list: <D extends Desc>(of: D) => ({ kind: 'list', of }) as const,
  set: <D extends Desc>(of: D) => ({ kind: 'set', of }) as const,
  map: <K extends Desc, V extends Desc>(key: K, value: V) => ({ kind: 'map', key, value }) as const,
  struct: <S extends StructDef>(struct: S) => ({ kind: 'struct', struct }) as const,
} as const;

/** A field as Hive's IDL declares it without `required` (most are): absent on the wire is undefined here. */
export const field = <D extends Desc>(id: number, type: D) => ({ id, type, required: false as const });
export const required = <D extends Desc>(id: number, type: D) => ({ id, type, required: true as const });

export function struct<F extends Record<string, FieldDef>>(name: string, fields: F, options: { union?: boolean } = {}): StructDef<F> {
  const byId = new Map<number, readonly [string, FieldDef]>();
  for (const [key, f] of Object.entries(fields)) {
    if (byId.has(f.id)) throw new Error(`${name}: field id ${f.id} is declared twice`);
    byId.set(f.id, [key, f]);
  }
  return { name, fields, byId, union: options.union ?? false };
}

/** The TypeScript value of a Thrift type. */
export type ValueOf<D> = D extends { kind: 'bool' }
  ? boolean
  : D extends { kind: 'byte' | 'i16' | 'i32' | 'double' }
    ? number
    : D extends { kind: 'i64' }
      ? bigint
      : D extends { kind: 'string' }
        ? string
        : D extends { kind: 'binary' }
          ? Buffer
          : D extends { kind: 'list' | 'set'; of: infer E }
            ? Array<ValueOf<E>>
            : D extends { kind: 'map'; key: infer K; value: infer V }
              ? Map<ValueOf<K>, ValueOf<V>>
              : D extends { kind: 'struct'; struct: StructDef<infer F> }
                ? StructValue<F>
                : never;

type RequiredKeys<F> = { [K in keyof F]: F[K] extends { required: true } ? K : never }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;

export type StructValue<F> = { -readonly [K in RequiredKeys<F>]: F[K] extends { type: infer D } ? ValueOf<D> : never } & {
  -readonly [K in OptionalKeys<F>]?: F[K] extends { type: infer D } ? ValueOf<D> | undefined : never;
};

/** `Infer<typeof Table>`: the TypeScript type of a declared struct. */
export type Infer<S> = S extends StructDef<infer F> ? StructValue<F> : never;

export function wireType(d: Desc): TTypeId {
  switch (d.kind) {
    case 'bool':
      return TType.BOOL;
    case 'byte':
      return TType.BYTE;
    case 'i16':
      return TType.I16;
    case 'i32':
      return TType.I32;
    case 'i64':
      return TType.I64;
    case 'double':
      return TType.DOUBLE;
    case 'string':
    case 'binary':
      return TType.STRING;
    case 'list':
      return TType.LIST;
    case 'set':
      return TType.SET;
    case 'map':
      return TType.MAP;
    case 'struct':
      return TType.STRUCT;
  }
}
