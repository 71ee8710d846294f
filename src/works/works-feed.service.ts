import type { Kysely } from 'kysely'
import { confinedOrganizationId, type Principal } from '../core/access/principal.ts'
import { listFootprintsInBox } from '../cases/works-footprint.repository.ts'
import type { Database } from '../platform/database/database.types.ts'
import { MAX_FEED_FEATURES, type WorksFeedQuery } from './works-feed.schema.ts'

/**
 * The map feed (GET /v1/works): the open works in a box over a period as a GeoJSON FeatureCollection (RFC 7946).
 * A dispatch key sees its own organization's works in full and the others' only as occupied geometry with a period:
 * what a planner needs to avoid a clash, and no more (core/access: a dispatch key sees its own cases only).
 */
export async function worksFeed(db: Kysely<Database>, principal: Principal, query: WorksFeedQuery) {
  const rows = await listFootprintsInBox(db, { box: query.bbox, period: { from: query.from, to: query.to }, statuses: query.status, limit: MAX_FEED_FEATURES + 1 })
  const own = confinedOrganizationId(principal)
  const features = rows.slice(0, MAX_FEED_FEATURES).map((row) => ({
    type: 'Feature' as const,
    geometry: row.geometry as unknown as Record<string, unknown>,
    properties:
      own && own !== row.organizationId
        ? { occupied: true as const, period: row.period }
        : {
            caseId: row.caseId,
            caseNumber: row.caseNumber,
            route: row.route,
            status: row.status,
            period: row.period,
            organization: row.organizationCode,
            road: row.roadName,
            clash: row.clash,
          },
  }))
  return { type: 'FeatureCollection' as const, features, truncated: rows.length > MAX_FEED_FEATURES }
}
