export { BuiltinAuthorizer, type Authorizer } from './authorize.js';
export { PolicyAuthorizer, subjectOf, objectTags } from './policy-authorizer.js';
export { DataPolicySet, type AccessDecision, type ColumnMask, type RequestedAccess, type RowFilter, type Subject } from './data-access/evaluator.js';
export { DataPolicyCache, dataPolicySetVersion, loadDataPolicySet, toDataPolicy } from './data-access/policy-store.js';
export { dataAccessFor, parseCatalogResource } from './data-access/catalog-actions.js';
export { compileValues, levelMatches, namespaceText, type DataResource } from './data-access/resource-match.js';
export { explainDecision, type ExplainedDecision, type TagsOf } from './data-access/explain.js';
export { isKnownTimeZone, wallTimeToInstant } from './data-access/validity.js';
export * from './data-access/policy-schema.js';
