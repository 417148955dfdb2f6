import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors/index.js';
import { catalogObject, resourceText } from '../../../shared/policy/index.js';
import { namespaceOf } from '../domain/identifiers.js';
import { identifiedResource, renameChecks, tableResource } from './iceberg-resources.js';

/**
 * Idempotency keys stored before the routes were declared keep replaying only if an operation is written as it was:
 * "<operation> <catalogResource(...)>". The typed resources' text is that text, for every spelling of a name.
 */
/** How the routes wrote a catalog resource as text before they were declared: what stored keys' operations hold. */
function catalogResource(warehouse: string, namespace?: readonly string[], name?: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');
  let r = `catalog/${enc(warehouse)}`;
  if (namespace) r += `/${namespace.map(enc).join('.')}`;
  if (name !== undefined) r += `/${enc(name)}`;
  return r;
}

const NAMES = ['orders', 'a.b', 'a/b', 'my table', '%2E', '..x', 'ünïcödé', 'a😀', ''];

describe('the text of a typed catalog resource', () => {
  it.each(NAMES)('is what catalogResource wrote, for the name %j', (name) => {
    for (const namespace of [['sales'], ['a', name], [name], []]) {
      expect(resourceText(catalogObject('wh', namespace, name))).toBe(catalogResource('wh', namespace, name));
      expect(resourceText(catalogObject(name || 'w', namespace))).toBe(catalogResource(name || 'w', namespace));
    }
    expect(resourceText(catalogObject('wh'))).toBe(catalogResource('wh'));
  });

  it('is decided as the text was: a body identifier with an empty namespace names the warehouse', () => {
    const cases = [
      [
        { namespace: ['sales', 'eu'], name: 'orders' },
        { warehouse: 'wh', namespace: ['sales', 'eu'], table: 'orders' },
      ],
      [{ namespace: [], name: 'orders' }, { warehouse: 'wh' }],
      [
        { namespace: ['a.b'], name: 'x/y' },
        { warehouse: 'wh', namespace: ['a.b'], table: 'x/y' },
      ],
    ] as const;
    for (const [id, expected] of cases) {
      const { kind: _kind, ...decided } = identifiedResource('wh', id);
      expect(decided).toEqual(expected);
    }
  });
});

describe("the Iceberg routes' input", () => {
  it('parses a namespace once per request and refuses a malformed one', () => {
    const params = { prefix: 'wh', namespace: 'a\x1Fb', table: 't' };
    expect(namespaceOf(params)).toBe(namespaceOf(params));
    expect(tableResource({ params, body: undefined, query: {} })).toEqual({ kind: 'catalog', warehouse: 'wh', namespace: ['a', 'b'], table: 't' });
    expect(() => namespaceOf({ namespace: 'a\x1F\x1Fb' })).toThrow(ValidationError);
  });

  it('asks a rename for the source and the destination, after checking the destination', () => {
    const body = { source: { namespace: ['a'], name: 's' }, destination: { namespace: ['b'], name: 'd' } };
    expect(renameChecks('view')({ params: { prefix: 'wh' }, body, query: {} })).toEqual([
      { action: 'catalog:view:rename', resource: catalogObject('wh', ['a'], 's') },
      { action: 'catalog:view:create', resource: catalogObject('wh', ['b'], 'd') },
    ]);
    expect(() => renameChecks('table')({ params: { prefix: 'wh' }, body: { ...body, destination: { namespace: [], name: 'd' } }, query: {} })).toThrow(
      ValidationError,
    );
  });
});
