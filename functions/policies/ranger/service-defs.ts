/**
 * The service definitions Lakeplane serves to Ranger plugins with its policies (ServicePolicies.serviceDef). A plugin
 * reads from them which resources exist and how they match, which access types there are and what `all` implies, and,
 * for masks, the SQL that each mask type stands for ({col} the column, {type} its type). The names follow Ranger's
 * own `trino` and `hive` definitions, which the engines' plugins are written against; the documents are ours.
 */

const matcher = 'org.apache.ranger.plugin.resourcematcher.RangerDefaultResourceMatcher';
const wild = { wildCard: 'true', ignoreCase: 'true' };

function resource(itemId: number, name: string, parent: string, level: number, extra: Record<string, unknown> = {}) {
  return {
    itemId,
    name,
    type: 'string',
    level,
    parent,
    mandatory: true,
    lookupSupported: false,
    recursiveSupported: false,
    excludesSupported: true,
    matcher,
    matcherOptions: wild,
    validationRegEx: '',
    validationMessage: '',
    uiHint: '',
    label: name,
    description: name,
    ...extra,
  };
}

function accessTypes(names: string[]) {
  const types: Array<{ itemId: number; name: string; label: string; impliedGrants: string[] }> = names.map((name, i) => ({
    itemId: i + 1,
    name,
    label: name,
    impliedGrants: [],
  }));
  types.push({ itemId: names.length + 1, name: 'all', label: 'all', impliedGrants: [...names] });
  return types;
}

/** Mask types as Trino SQL (the `trino` service). Each keeps the column's type, so a view over the mask still fits. */
const TRINO_MASKS = [
  {
    itemId: 1,
    name: 'MASK',
    label: 'Redact',
    transformer: "cast(regexp_replace(regexp_replace(regexp_replace(cast({col} as varchar), '[A-Z]', 'X'), '[a-z]', 'x'), '[0-9]', '0') as {type})",
  },
  {
    itemId: 2,
    name: 'MASK_SHOW_LAST_4',
    label: 'Partial mask: show last 4',
    transformer:
      "cast(regexp_replace(substr(cast({col} as varchar), 1, greatest(length(cast({col} as varchar)) - 4, 0)), '.', 'X') || substr(cast({col} as varchar), greatest(length(cast({col} as varchar)) - 3, 1)) as {type})",
  },
  {
    itemId: 3,
    name: 'MASK_SHOW_FIRST_4',
    label: 'Partial mask: show first 4',
    transformer: "cast(substr(cast({col} as varchar), 1, 4) || regexp_replace(substr(cast({col} as varchar), 5), '.', 'X') as {type})",
  },
  { itemId: 4, name: 'MASK_HASH', label: 'Hash', transformer: 'cast(to_hex(sha256(to_utf8(cast({col} as varchar)))) as {type})' },
  { itemId: 5, name: 'MASK_NULL', label: 'Nullify', transformer: 'NULL' },
  { itemId: 6, name: 'MASK_NONE', label: 'Unmasked (retain original value)', transformer: '' },
  { itemId: 12, name: 'MASK_DATE_SHOW_YEAR', label: 'Date: show only year', transformer: "date_trunc('year', {col})" },
  { itemId: 13, name: 'CUSTOM', label: 'Custom', transformer: '' },
];

/** Mask types as Hive/Spark SQL functions (the `hive` service), as Ranger's hive definition names them. */
const HIVE_MASKS = [
  { itemId: 1, name: 'MASK', label: 'Redact', transformer: 'mask({col})' },
  { itemId: 2, name: 'MASK_SHOW_LAST_4', label: 'Partial mask: show last 4', transformer: "mask_show_last_n({col}, 4, 'x', 'x', 'x', -1, '1')" },
  { itemId: 3, name: 'MASK_SHOW_FIRST_4', label: 'Partial mask: show first 4', transformer: "mask_show_first_n({col}, 4, 'x', 'x', 'x', -1, '1')" },
  { itemId: 4, name: 'MASK_HASH', label: 'Hash', transformer: 'mask_hash({col})' },
  { itemId: 5, name: 'MASK_NULL', label: 'Nullify', transformer: 'NULL' },
  { itemId: 6, name: 'MASK_NONE', label: 'Unmasked (retain original value)', transformer: '' },
  { itemId: 12, name: 'MASK_DATE_SHOW_YEAR', label: 'Date: show only year', transformer: "mask({col}, 'x', 'x', 'x', -1, '1', 1, 0, -1)" },
  { itemId: 13, name: 'CUSTOM', label: 'Custom', transformer: '' },
];

const maskResources = (names: string[]) =>
  names.map((name) => ({ name, matcherOptions: { wildCard: 'true' }, lookupSupported: false, uiHint: '{ "singleValue":true }' }));

/**
 * Ranger's implicit `_expression` condition, as Ranger's admin adds it to every service definition. A plugin ignores a
 * condition whose type its service definition lacks, so the conditions we ship must be declared here.
 */
const policyConditions = [
  {
    itemId: 1,
    name: '_expression',
    evaluator: 'org.apache.ranger.plugin.conditionevaluator.RangerScriptConditionEvaluator',
    evaluatorOptions: { engineName: 'JavaScript', 'ui.isMultiline': 'true' },
    label: 'Enter boolean expression',
    description: 'Boolean expression',
    uiHint: '{ "isMultiline":true }',
  },
];

export const TRINO_SERVICE_ID = 1;
export const HIVE_SERVICE_ID = 2;

export const TRINO_ACCESS_TYPES = [
  'select',
  'insert',
  'create',
  'drop',
  'delete',
  'use',
  'alter',
  'grant',
  'revoke',
  'show',
  'impersonate',
  'execute',
  'read_sysinfo',
  'write_sysinfo',
];
export const HIVE_ACCESS_TYPES = ['select', 'update', 'create', 'drop', 'alter', 'index', 'lock', 'read', 'write'];

export const trinoServiceDef = {
  id: 203,
  name: 'trino',
  displayName: 'trino',
  implClass: '',
  label: 'Trino (served by Lakeplane)',
  description: 'Lakeplane data policies: warehouse = catalog, namespace = schema (levels joined by "."), table, column',
  guid: '6f0a3f0e-4b86-4d5e-9a1c-6c616b65706c',
  isEnabled: true,
  version: 1,
  options: { enableDenyAndExceptionsInPolicies: 'true' },
  configs: [],
  resources: [
    resource(1, 'catalog', '', 10, { isValidLeaf: true }),
    resource(2, 'schema', 'catalog', 20, { isValidLeaf: true }),
    resource(3, 'table', 'schema', 30, { isValidLeaf: true }),
    resource(4, 'column', 'table', 40, { isValidLeaf: true }),
    resource(5, 'trinouser', '', 10, { accessTypeRestrictions: ['impersonate'], isValidLeaf: true }),
    resource(6, 'systemproperty', '', 10, { accessTypeRestrictions: ['alter'], isValidLeaf: true }),
    resource(7, 'sessionproperty', 'catalog', 20, { accessTypeRestrictions: ['alter'], isValidLeaf: true }),
    resource(8, 'function', '', 10, { accessTypeRestrictions: ['execute', 'grant'], isValidLeaf: true }),
    resource(9, 'procedure', 'schema', 30, { accessTypeRestrictions: ['execute', 'grant'], isValidLeaf: true }),
    resource(10, 'schemafunction', 'schema', 30, { accessTypeRestrictions: ['create', 'drop', 'show'], isValidLeaf: true }),
    resource(11, 'queryid', '', 10, { accessTypeRestrictions: ['execute'], isValidLeaf: true }),
    resource(12, 'sysinfo', '', 10, { accessTypeRestrictions: ['read_sysinfo', 'write_sysinfo'], isValidLeaf: true }),
    resource(13, 'role', '', 10, { accessTypeRestrictions: ['create', 'drop', 'show', 'grant', 'revoke'], isValidLeaf: true }),
  ],
  accessTypes: accessTypes(TRINO_ACCESS_TYPES),
  policyConditions,
  contextEnrichers: [],
  enums: [],
  dataMaskDef: {
    accessTypes: [{ itemId: 1, name: 'select', label: 'select', impliedGrants: [] }],
    resources: maskResources(['catalog', 'schema', 'table', 'column']),
    maskTypes: TRINO_MASKS,
  },
  rowFilterDef: { accessTypes: [{ itemId: 1, name: 'select', label: 'select', impliedGrants: [] }], resources: maskResources(['catalog', 'schema', 'table']) },
};

export const hiveServiceDef = {
  id: 3,
  name: 'hive',
  displayName: 'Hadoop SQL',
  implClass: '',
  label: 'Hive (served by Lakeplane)',
  description: 'Lakeplane data policies of one warehouse: namespace = database (levels joined by "."), table, column; and storage paths (url)',
  guid: '3e1afb5a-184a-4e82-9d9c-6c616b65706c',
  isEnabled: true,
  version: 1,
  options: { enableDenyAndExceptionsInPolicies: 'true' },
  configs: [],
  resources: [
    resource(1, 'database', '', 10, { isValidLeaf: true }),
    resource(2, 'table', 'database', 20, { isValidLeaf: true }),
    resource(3, 'column', 'table', 30, { isValidLeaf: true }),
    // Storage paths, matched as Ranger's own hive definition matches them: recursive, wildcards, case-sensitive.
    resource(5, 'url', '', 10, {
      isValidLeaf: true,
      recursiveSupported: true,
      excludesSupported: false,
      matcher: 'org.apache.ranger.plugin.resourcematcher.RangerURLResourceMatcher',
      matcherOptions: { wildCard: 'true', ignoreCase: 'false' },
      label: 'URL',
      description: 'URL',
    }),
  ],
  accessTypes: accessTypes(HIVE_ACCESS_TYPES),
  policyConditions,
  contextEnrichers: [],
  enums: [],
  dataMaskDef: {
    accessTypes: [{ itemId: 1, name: 'select', label: 'select', impliedGrants: [] }],
    resources: maskResources(['database', 'table', 'column']),
    maskTypes: HIVE_MASKS,
  },
  rowFilterDef: { accessTypes: [{ itemId: 1, name: 'select', label: 'select', impliedGrants: [] }], resources: maskResources(['database', 'table']) },
};

export const TAG_SERVICE_ID = 4;

/** Every component's access types prefixed by it, as Ranger's admin merges them into its tag service definition. */
function componentAccessTypes() {
  const out: Array<{ itemId: number; name: string; label: string; impliedGrants: string[] }> = [];
  for (const [component, def] of [
    ['trino', trinoServiceDef],
    ['hive', hiveServiceDef],
  ] as const) {
    for (const t of def.accessTypes)
      out.push({
        itemId: out.length + 1,
        name: `${component}:${t.name}`,
        label: `${component}:${t.label}`,
        impliedGrants: t.impliedGrants.map((g) => `${component}:${g}`),
      });
  }
  return out;
}

/**
 * Ranger's tag service definition, as Lakeplane serves it: resource `tag`, every component's access types, and the
 * two conditions Ranger's own defines (accessed-after-expiry, whose script reads the current tag's expiry_date, and
 * `_expression`), so a plugin evaluates the tag policies it downloads as Lakeplane does. Its TagEnricher asks the tags
 * download for the catalog's tags.
 */
export const tagServiceDef = {
  id: 100,
  name: 'tag',
  displayName: 'tag',
  implClass: 'org.apache.ranger.services.tag.RangerServiceTag',
  label: 'TAG (served by Lakeplane)',
  description: "Lakeplane tag-based data policies: the catalog's tags (EXPIRES_ON with expiry_date, ...)",
  guid: '0d047248-baff-4cf9-8e9e-6c616b65706c',
  isEnabled: true,
  version: 1,
  options: { 'ui.pages': 'tag-based-policies', enableDenyAndExceptionsInPolicies: 'true' },
  configs: [],
  // Lakeplane matches tag names ignoring case and without wildcards: the plugin is told to match them the same way.
  resources: [
    {
      ...resource(1, 'tag', '', 1),
      matcherOptions: { wildCard: 'false', ignoreCase: 'true' },
      excludesSupported: false,
      uiHint: '{ "singleValue":true }',
      label: 'TAG',
      description: 'TAG',
    },
  ],
  accessTypes: componentAccessTypes(),
  policyConditions: [
    {
      itemId: 1,
      name: 'accessed-after-expiry',
      evaluator: 'org.apache.ranger.plugin.conditionevaluator.RangerScriptTemplateConditionEvaluator',
      evaluatorOptions: { scriptTemplate: "ctx.isAccessedAfter('expiry_date');" },
      uiHint: '{ "singleValue":true }',
      label: 'Accessed after expiry_date (yes/no)?',
      description: 'Accessed after expiry_date? (yes/no)',
    },
    { ...policyConditions[0]!, itemId: 2 },
  ],
  contextEnrichers: [
    {
      itemId: 1,
      name: 'TagEnricher',
      enricher: 'org.apache.ranger.plugin.contextenricher.RangerTagEnricher',
      enricherOptions: { tagRetrieverClassName: 'org.apache.ranger.plugin.contextenricher.RangerAdminTagRetriever', tagRefresherPollingInterval: 60000 },
    },
  ],
  enums: [],
};
