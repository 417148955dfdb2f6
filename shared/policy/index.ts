export type { Authorizer, PlatformRules } from './authorize.js';
export {
  catalogObject,
  platformObject,
  resourceText,
  dataResourceOf,
  type Action,
  type CatalogResource,
  type PlatformResource,
  type Resource,
} from './resource.js';
export { ControlPolicyAuthorizer, loadControlEngine, shippedControlBundle } from './control/control-authorizer.js';
export type { ControlPolicyStore, ControlPolicyState } from './control/control-policy-store.js';
export { postgresControlPolicyStore } from './control/postgres-control-policy-store.js';
export type { ControlDecision, ControlInput } from './control/control-engine.js';
export { PolicyAuthorizer, subjectOf } from './policy-authorizer.js';
export type { ObjectTagStore } from './data-access/object-tag-store.js';
export { postgresObjectTagStore } from './data-access/postgres-object-tag-store.js';
export { DataPolicySet, type AccessDecision, type ColumnMask, type RequestedAccess, type RowFilter, type Subject } from './data-access/evaluator.js';
export { DataPolicyCache, dataPolicySetVersion, loadDataPolicySet, toDataPolicy } from './data-access/policy-store.js';
export { dataAccessFor } from './data-access/catalog-actions.js';
export { compileValues, levelMatches, namespaceText, type DataResource } from './data-access/resource-match.js';
export { CONDITION_TYPES, EXPIRY_CONDITION, conditionProblems } from './data-access/policy-conditions.js';
export {
  EXPIRES_ON_TAG,
  EXPIRY_DATE_ATTRIBUTE,
  TAG_DATE_FORMS,
  parseTagDate,
  resourceTags,
  tagAttributeMapProblems,
  tagAttributeProblems,
  type ResourceTag,
  type TagAttributeMap,
} from './data-access/tag-attributes.js';
export { normalizeUrl, urlValueProblem, type UrlResource } from './data-access/url-match.js';
export { explainDecision, type ExplainedDecision, type TagsOf } from './data-access/explain.js';
export { isKnownTimeZone, recurrenceProblemsOf, wallTimeToInstant } from './data-access/validity.js';
export * from './data-access/policy-schema.js';
export { DecisionLog } from './decision-log.js';
export type { DecisionRecord, DecisionRecordStore, TimedDecisionRecord } from './decision-record-store.js';
export { postgresDecisionRecordStore } from './postgres-decision-record-store.js';
export { PolicyEvents } from './policy-events.js';
export { accessesOf, delegationCovers, delegationFor, type Delegation } from './data-access/delegated-admin.js';
