import type { Principal } from '../../../../shared/auth/index.js';
import type { Check } from '../../../../shared/http/index.js';
import { platformObject, subjectOf, type Subject } from '../../../../shared/policy/index.js';

type Asked = { user: string; groups?: string[]; roles?: string[] } | undefined;

/** Deciding for someone else shows what they may do: that is an admin's question. About oneself, anyone may ask. */
export function impersonation(asked: Asked): Check[] {
  return asked ? [{ action: 'policies:decisions:impersonate', resource: platformObject('policies', 'subjects', asked.user) }] : [];
}

/** Whom a decision is for: the one asked about, or the caller. */
export function subjectFor(caller: Principal, asked: Asked): Subject {
  return asked ? { user: asked.user, groups: asked.groups ?? [], roles: asked.roles ?? [] } : subjectOf(caller);
}
