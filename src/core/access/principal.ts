/** The roles an API key can have, and who is calling: the one list every route, the CLI and the lifecycle share. */
export const ROLES = ['dispatch', 'office', 'auditor', 'admin'] as const
export type Role = (typeof ROLES)[number]

/**
 * The roles that may read cases (their contents, events and timelines): an admin manages keys, rule sets and the
 * calendar, not cases. Whatever carries a case's contents — the case routes, the change feed, webhooks — is
 * open to these roles only.
 */
export const CASE_READER_ROLES = ['dispatch', 'office', 'auditor'] as const satisfies readonly Role[]

/** Who is calling: resolved from the API key on every request. */
export interface Principal {
  keyId: string
  role: Role
  organizationId: string | null
  organizationCode: string | null
}

/**
 * The visibility rule: a dispatch key sees its own organization's cases, events and webhooks only; every other
 * role sees all organizations. Returns the one organization the principal is confined to, or undefined when it is
 * not confined. Anything outside the scope is "not found" to the caller, never "forbidden" (no existence leak).
 */
export function confinedOrganizationId(principal: Principal): string | undefined {
  return principal.role === 'dispatch' ? (principal.organizationId ?? undefined) : undefined
}

/**
 * Which organization a list filtered by `requestedCode` covers for this principal: `'all'`, `'none'` (a dispatch key
 * asking for another organization simply finds nothing), or one organization by id or by code (to be resolved).
 */
export type OrganizationScope = { kind: 'all' } | { kind: 'none' } | { kind: 'id'; id: string } | { kind: 'code'; code: string }

export function organizationScopeOf(principal: Principal, requestedCode: string | undefined): OrganizationScope {
  const confined = confinedOrganizationId(principal)
  if (confined !== undefined) return requestedCode !== undefined && requestedCode !== principal.organizationCode ? { kind: 'none' } : { kind: 'id', id: confined }
  return requestedCode === undefined ? { kind: 'all' } : { kind: 'code', code: requestedCode }
}
