import { z } from 'zod'
import { civilDateSchema, SUPPORTED_DATES } from '../core/calendar/date.schema.ts'
import { caseStatuses } from '../core/lifecycle/lifecycle.types.ts'

/** The largest box the map feed answers, degrees a side (about 25 km: a district or two). Larger: 400 naming `bbox`. */
export const MAX_FEED_BOX_DEGREES = 0.25
/** At most this many features (ordered by case number); more: the collection says `truncated: true`. */
export const MAX_FEED_FEATURES = 5000

const bboxSchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const parts = value.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)))
    if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: 'must be four numbers minLon,minLat,maxLon,maxLat (WGS84)' })
      return z.NEVER
    }
    const [minLon, minLat, maxLon, maxLat] = parts as [number, number, number, number]
    const problems: string[] = []
    if ([minLon, maxLon].some((lon) => lon < -180 || lon > 180) || [minLat, maxLat].some((lat) => lat < -90 || lat > 90))
      problems.push('longitudes must lie within ±180 and latitudes within ±90')
    if (minLon > maxLon || minLat > maxLat) problems.push('the minimum must not exceed the maximum (minLon,minLat,maxLon,maxLat)')
    if (maxLon - minLon > MAX_FEED_BOX_DEGREES || maxLat - minLat > MAX_FEED_BOX_DEGREES)
      problems.push(`must be at most ${MAX_FEED_BOX_DEGREES}° a side (about 25 km): ask for a smaller area`)
    for (const message of problems) ctx.addIssue({ code: 'custom', message })
    return problems.length > 0 ? z.NEVER : ([minLon, minLat, maxLon, maxLat] as [number, number, number, number])
  })
  .meta({ type: 'string', example: '117.63,24.50,117.68,24.53', description: `minLon,minLat,maxLon,maxLat in WGS84 degrees, at most ${MAX_FEED_BOX_DEGREES}° a side` })

const statusListSchema = z
  .string()
  .max(500)
  .transform((value, ctx) => {
    const statuses = value.split(',').map((s) => s.trim())
    const unknown = statuses.filter((s) => !(caseStatuses as readonly string[]).includes(s))
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ')}; one or more of ${caseStatuses.join(', ')}` })
      return z.NEVER
    }
    return statuses
  })
  .meta({ type: 'string', example: 'approved,works_started', description: 'Comma-separated case statuses' })

export const worksFeedQuerySchema = z
  .strictObject({
    bbox: bboxSchema,
    from: civilDateSchema.meta({ description: `First day of the period asked about (inclusive), ${SUPPORTED_DATES}` }),
    to: civilDateSchema.meta({ description: `Last day of the period asked about (inclusive), ${SUPPORTED_DATES}` }),
    status: statusListSchema.optional(),
  })
  .refine((q) => q.to >= q.from, { path: ['to'], message: 'must not be before from' })
export type WorksFeedQuery = z.infer<typeof worksFeedQuerySchema>

const periodSchema = z.object({ from: z.string(), to: z.string() })

const featureSchema = z.object({
  type: z.literal('Feature'),
  geometry: z.record(z.string(), z.unknown()).meta({ description: 'The works geometry (GeoJSON LineString, MultiLineString or Polygon)' }),
  properties: z.union([
    z.object({
      caseId: z.string(),
      caseNumber: z.string(),
      route: z.string(),
      status: z.string(),
      period: periodSchema,
      organization: z.string(),
      road: z.string(),
      clash: z.boolean().meta({ description: 'At least one clash of the case is open (neither linked nor dismissed)' }),
    }),
    z.object({ occupied: z.literal(true), period: periodSchema }).meta({ description: "Another organization's works, as a dispatch key sees them: where and when, nothing more" }),
  ]),
})

export const worksFeedResponseSchema = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(featureSchema),
    truncated: z
      .boolean()
      .meta({ description: `More than ${MAX_FEED_FEATURES} works matched: the first ${MAX_FEED_FEATURES} by case number are shown; ask for a smaller box or period` }),
  })
  .meta({ id: 'WorksFeatureCollection' })
