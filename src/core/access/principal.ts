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
  /**
   * The jurisdiction the key is scoped to (an office key always, an auditor key if made so, a dispatch key by its
   * organization); null or absent: it spans every jurisdiction (admin, an unscoped auditor).
   */
  jurisdictionCode?: string | null
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
 * The visibility rule, jurisdiction half: an office key sees its own jurisdiction's cases only, an auditor key its
 * own if it is scoped, every other key is not confined by it (a dispatch key is already confined to its organization,
 * which belongs to one jurisdiction; an admin spans all). Another jurisdiction's case is "not found", like another
 * organization's. Used by every read, list, transition, event feed, report and export of cases.
 */
export function confinedJurisdictionCode(principal: Principal): string | undefined {
  return principal.role === 'office' || principal.role === 'auditor' || principal.role === 'dispatch' ? (principal.jurisdictionCode ?? undefined) : undefined
}

/** Both halves of the visibility rule at once: what a query of cases must be restricted to. */
export interface CaseVisibility {
  organizationId?: string | undefined
  jurisdictionCode?: string | undefined
}

export function caseVisibilityOf(principal: Principal): CaseVisibility {
  return { organizationId: confinedOrganizationId(principal), jurisdictionCode: confinedJurisdictionCode(principal) }
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

/**
 * Which jurisdictions a read filtered by `requested` covers for this principal — the jurisdiction half of the
 * visibility rule (confinedJurisdictionCode) applied to a filter, shared by case lists, the SLA report and the map
 * feed: `'all'` (a key spanning every jurisdiction, no filter), `'none'` (a scoped key asking for another jurisdiction
 * simply finds nothing), or one jurisdiction (the key's own, or the one a spanning key asked for).
 */
export type JurisdictionScope = { kind: 'all' } | { kind: 'none' } | { kind: 'one'; code: string }

export function jurisdictionScopeOf(principal: Principal, requested: string | undefined): JurisdictionScope {
  const confined = confinedJurisdictionCode(principal)
  if (confined !== undefined) return requested !== undefined && requested !== confined ? { kind: 'none' } : { kind: 'one', code: confined }
  return requested === undefined ? { kind: 'all' } : { kind: 'one', code: requested }
}
