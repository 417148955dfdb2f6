import { CommitFailedError } from '../../../shared/errors/index.js';
import { sameLong } from '../../../shared/json/index.js';
import type { TableRequirementValue } from '../schemas/iceberg-requests.js';
import type { TableMetadata } from './table-metadata.js';

/**
 * Checks a commit's requirements against the table as it is now (null: it does not exist). Any that fails is a
 * CommitFailedException: the client's base is stale and it should refresh and retry. Messages follow Java's
 * UpdateRequirement so they read the same to users of either server.
 */
export function checkTableRequirements(base: TableMetadata | null, requirements: readonly TableRequirementValue[]): void {
  for (const r of requirements) {
    if (r.type === 'assert-create') {
      if (base) throw new CommitFailedError('Requirement failed: table already exists');
      continue;
    }
    if (!base) throw new CommitFailedError(`Requirement failed: ${r.type} cannot be checked, the table does not exist`);
    switch (r.type) {
      case 'assert-table-uuid':
        if (r.uuid.toLowerCase() !== base['table-uuid'].toLowerCase()) {
          throw new CommitFailedError(`Requirement failed: UUID does not match: expected ${base['table-uuid']} != ${r.uuid}`);
        }
        break;
      case 'assert-ref-snapshot-id': {
        const ref = base.refs[r.ref];
        const expected = r['snapshot-id'];
        if (ref) {
          const kind = ref.type === 'tag' ? 'tag' : 'branch';
          if (expected === null) throw new CommitFailedError(`Requirement failed: ${kind} ${r.ref} was created concurrently`);
          if (!sameLong(ref['snapshot-id'], expected)) {
            throw new CommitFailedError(`Requirement failed: ${kind} ${r.ref} has changed: expected id ${String(expected)} != ${String(ref['snapshot-id'])}`);
          }
        } else if (expected !== null) {
          throw new CommitFailedError(`Requirement failed: branch or tag ${r.ref} is missing, expected ${String(expected)}`);
        }
        break;
      }
      case 'assert-last-assigned-field-id':
        if (base['last-column-id'] !== r['last-assigned-field-id']) {
          throw new CommitFailedError(
            `Requirement failed: last assigned field id changed: expected id ${r['last-assigned-field-id']} != ${base['last-column-id']}`,
          );
        }
        break;
      case 'assert-current-schema-id':
        if (base['current-schema-id'] !== r['current-schema-id']) {
          throw new CommitFailedError(`Requirement failed: current schema changed: expected id ${r['current-schema-id']} != ${base['current-schema-id']}`);
        }
        break;
      case 'assert-last-assigned-partition-id':
        if (base['last-partition-id'] !== r['last-assigned-partition-id']) {
          throw new CommitFailedError(
            `Requirement failed: last assigned partition id changed: expected id ${r['last-assigned-partition-id']} != ${base['last-partition-id']}`,
          );
        }
        break;
      case 'assert-default-spec-id':
        if (base['default-spec-id'] !== r['default-spec-id']) {
          throw new CommitFailedError(`Requirement failed: default partition spec changed: expected id ${r['default-spec-id']} != ${base['default-spec-id']}`);
        }
        break;
      case 'assert-default-sort-order-id':
        if (base['default-sort-order-id'] !== r['default-sort-order-id']) {
          throw new CommitFailedError(
            `Requirement failed: default sort order changed: expected id ${r['default-sort-order-id']} != ${base['default-sort-order-id']}`,
          );
        }
        break;
    }
  }
}
