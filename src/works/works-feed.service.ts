import type { Kysely } from 'kysely'
import { worksFeedJson } from '../cases/works-footprint.repository.ts'
import { confinedOrganizationId, jurisdictionScopeOf, type Principal } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import { MAX_FEED_FEATURES, type WorksFeedQuery } from './works-feed.schema.ts'

/**
 * The map feed (GET /v1/works): the open works in a box over a period as a GeoJSON FeatureCollection (RFC 7946), as
 * JSON text. A dispatch key sees its own organization's works in full and the others' only as occupied geometry with a
 * period: what a planner needs to avoid a clash, and no more (core/access: a dispatch key sees its own cases only). A key
 * scoped to a jurisdiction (office, scoped auditor, dispatch through its organization) sees that jurisdiction's works
 * only, by the same rule as case reads (jurisdictionScopeOf).
 */
export async function worksFeed(db: Kysely<Database>, principal: Principal, query: WorksFeedQuery): Promise<string> {
  const scope = jurisdictionScopeOf(principal, undefined)
  const { featuresJson, count } = await worksFeedJson(db, {
    jurisdictionCode: scope.kind === 'one' ? scope.code : undefined,
    box: query.bbox,
    period: { from: query.from, to: query.to },
    statuses: query.status,
    limit: MAX_FEED_FEATURES,
    confinedTo: confinedOrganizationId(principal) ?? null,
  })
  return `{"type":"FeatureCollection","features":[${featuresJson}],"truncated":${count > MAX_FEED_FEATURES}}`
}
