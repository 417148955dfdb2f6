import type { TSchema } from '@sinclair/typebox';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns route schemas into schemas an OpenAPI 3.1 document can carry, collecting the named ones in components:
 * - TypeBox's symbol keys go (JSON round trip);
 * - a schema with a bare `$id` (Type.Recursive's "IcebergType") moves to #/components/schemas/<id> and its `$ref`s
 *   point there: a bare "IcebergType" reference resolves only inside its own subschema, and tools that resolve
 *   against the document (schemathesis, code generators) find it nowhere;
 * - an object's `default` is completed with its properties' own defaults, as the validator applies them
 *   (Ajv's useDefaults): `default: {}` beside required properties would otherwise be a default its own schema refuses;
 * - a closed object inside an allOf (Type.Intersect of a closed body and its metadata) is opened: in JSON Schema each
 *   member sees every property, so a closed member refuses the other members' fields and nothing validates.
 */
export class OpenApiSchemas {
  readonly components: Record<string, Json> = {};

  of(schema: TSchema): Json {
    return this.rewrite(JSON.parse(JSON.stringify(schema)) as Json);
  }

  private rewrite(node: Json): Json {
    for (const [key, value] of Object.entries(node)) {
      if (Array.isArray(value)) node[key] = value.map((v) => (isObject(v) ? this.rewrite(v) : v));
      else if (isObject(value) && key !== 'default' && key !== 'const' && key !== 'examples') node[key] = this.rewrite(value);
    }
    if (typeof node['$ref'] === 'string' && isBareName(node['$ref'])) node['$ref'] = `#/components/schemas/${node['$ref']}`;
    if (isObject(node['default']) && isObject(node['properties'])) node['default'] = completedDefault(node['default'], node['properties']);
    if (Array.isArray(node['allOf'])) node['allOf'] = node['allOf'].map((member) => (isObject(member) ? openMember(member) : member));
    const id = node['$id'];
    if (typeof id === 'string' && isBareName(id)) {
      const { $id: _, ...named } = node;
      this.components[id] = named;
      return { $ref: `#/components/schemas/${id}` };
    }
    return node;
  }
}

/** A schema name of our own, not a URI or a JSON pointer. */
const isBareName = (s: string) => /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(s);

function completedDefault(value: Json, properties: Json): Json {
  const out: Json = { ...value };
  for (const [name, prop] of Object.entries(properties)) {
    if (!isObject(prop) || !('default' in prop)) continue;
    const given = out[name];
    if (given === undefined) out[name] = prop['default'];
    else if (isObject(given) && isObject(prop['properties'])) out[name] = completedDefault(given, prop['properties']);
  }
  return out;
}

function openMember(member: Json): Json {
  if (member['additionalProperties'] !== false) return member;
  const { additionalProperties: _, ...open } = member;
  return open;
}
