import { operation } from '../../../shared/http/index.js';
import { DataPolicyInput } from '../../../shared/policy/index.js';
import { createDataPolicy } from '../handlers/data-policies/create.js';
import { deleteDataPolicy } from '../handlers/data-policies/delete.js';
import { dataPolicyHistory } from '../handlers/data-policies/history.js';
import { listDataPolicies } from '../handlers/data-policies/list.js';
import { createChecks, deleteChecks, historyChecks, listChecks, readChecks, replaceChecks } from '../handlers/data-policies/policy-admin.js';
import { readDataPolicy } from '../handlers/data-policies/read.js';
import { replaceDataPolicy } from '../handlers/data-policies/replace.js';
import { DataPolicy, IdParams, ListPoliciesQuery, PolicyHistory, PolicyPage } from '../schemas.js';

const base = '/api/v1/policies';
const policy = ({ params }: { params: { id: string } }) => `policies/${params.id}`;

// Who may manage a policy is the control policies' decision, told whether the caller is a delegated admin of it
// (Ranger's delegateAdmin): the checks look the policy up (404 first) and read the caller's delegations.
export const dataPolicyRoutes = [
  operation({
    method: 'GET',
    path: base,
    operationId: 'policies.listDataPolicies',
    tags: ['policies'],
    summary: 'List data access policies.',
    query: ListPoliciesQuery,
    responses: { 200: { description: 'A page of policies, and the version of the whole set', schema: PolicyPage } },
    authorization: { checks: listChecks },
    handler: listDataPolicies,
  }),
  operation({
    method: 'POST',
    path: base,
    operationId: 'policies.createDataPolicy',
    tags: ['policies'],
    summary: 'Create a data access, masking or row-filter policy.',
    body: DataPolicyInput,
    responses: { 201: { description: 'Created', schema: DataPolicy }, 409: { description: 'A policy of that name exists' } },
    authorization: { checks: createChecks },
    auditResource: ({ body }) => `policies/${body.name}`,
    handler: createDataPolicy,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'policies.getDataPolicy',
    tags: ['policies'],
    summary: 'Read a policy.',
    params: IdParams,
    responses: { 200: { description: 'The policy', schema: DataPolicy } },
    authorization: { checks: readChecks },
    handler: readDataPolicy,
  }),
  operation({
    method: 'PUT',
    path: `${base}/:id`,
    operationId: 'policies.replaceDataPolicy',
    tags: ['policies'],
    params: IdParams,
    body: DataPolicyInput,
    summary: 'Replace a policy; with If-Match: "<version>", only if nobody changed it since (409 otherwise). Bumps its version.',
    responses: { 200: { description: 'The policy after the change', schema: DataPolicy }, 409: { description: 'Stale If-Match, or the new name is taken' } },
    authorization: { checks: replaceChecks },
    mutates: 'in-steps',
    auditResource: policy,
    handler: replaceDataPolicy,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id`,
    operationId: 'policies.deleteDataPolicy',
    tags: ['policies'],
    params: IdParams,
    summary: 'Delete a policy (its history stays); with If-Match, only if nobody changed it since.',
    responses: { 204: { description: 'Deleted' } },
    authorization: { checks: deleteChecks },
    mutates: 'in-steps',
    auditResource: policy,
    handler: deleteDataPolicy,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/history`,
    operationId: 'policies.dataPolicyHistory',
    tags: ['policies'],
    params: IdParams,
    summary: 'Every version of a policy, newest first, including its deletion.',
    responses: { 200: { description: 'The versions', schema: PolicyHistory } },
    authorization: { checks: historyChecks },
    handler: dataPolicyHistory,
  }),
];
