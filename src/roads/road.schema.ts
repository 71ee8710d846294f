import { z } from 'zod'
import { geometrySchema } from '../core/geo/geometry.schema.ts'
import { roadClassSchema } from '../core/rules/rule-set.schema.ts'
import { civilDateSchema } from '../platform/http/http-schemas.ts'

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)

/** A register code such as "ZZ-LW-0001": letters, digits, dot, dash, underscore; it is the road's URL segment. */
const roadCodeSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, ".", "-" or "_", starting with a letter or digit')
  .meta({ description: 'Register code of the road', example: 'ZZ-LW-0001' })

/** A no-dig period (major event, resurfacing programme), dates inclusive. */
const restrictionSchema = z
  .strictObject({ from: civilDateSchema, to: civilDateSchema, reason: text(500) })
  .superRefine((r, ctx) => {
    if (r.to < r.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' })
  })
  .meta({ id: 'RoadRestriction' })

/** The road as PUT /v1/roads/{code} takes it (and as each feature's properties + geometry of an import). */
const roadBodyFields = {
  name: text(200).meta({ example: '水仙大街 Shuixian Avenue' }),
  district: text(100).meta({ example: 'Longwen' }),
  class: roadClassSchema.meta({ description: 'arterial 主干路, secondary 次干路, branch 支路, other' }),
  builtOn: civilDateSchema.nullable().optional().meta({ description: 'Put into use after construction or extension (交付使用)' }),
  reconstructedOn: civilDateSchema.nullable().optional().meta({ description: 'Put into use after reconstruction (改建)' }),
  overhauledOn: civilDateSchema.nullable().optional().meta({ description: 'Overhaul completed (大修竣工)' }),
  restrictions: z.array(restrictionSchema).max(100).optional(),
}

export const putRoadRequestSchema = z.strictObject({ ...roadBodyFields, geometry: geometrySchema })
export type PutRoadRequest = z.infer<typeof putRoadRequestSchema>

export const roadParamsSchema = z.object({ code: roadCodeSchema })

/** A GeoJSON FeatureCollection of roads (RFC 7946 §3.3): the road fields are each feature's properties. */
export const roadImportSchema = z
  .strictObject({
    type: z.literal('FeatureCollection'),
    features: z
      .array(
        z.object({
          type: z.literal('Feature'),
          id: z.union([z.string(), z.number()]).optional(),
          geometry: geometrySchema,
          properties: z.strictObject({ code: roadCodeSchema, ...roadBodyFields }),
        }),
      )
      .min(1, 'an import needs at least one feature')
      .max(5000, 'import at most 5000 roads at once'),
  })
  .meta({ id: 'RoadImport' })
export type RoadImport = z.infer<typeof roadImportSchema>

const protectionSchema = z.object({
  period: z.string(),
  from: z.string(),
  since: z.string(),
  until: z.string().meta({ description: 'Last protected day, inclusive' }),
  citation: z.string(),
})

export const roadResponseSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    district: z.string(),
    class: roadClassSchema,
    geometry: geometrySchema,
    builtOn: z.string().nullable(),
    reconstructedOn: z.string().nullable(),
    overhauledOn: z.string().nullable(),
    restrictions: z.array(z.object({ from: z.string(), to: z.string(), reason: z.string() })),
    protections: z.array(protectionSchema).meta({ description: 'Protection periods (城市道路管理条例 art. 33) under the rule set in force today' }),
    protectedUntil: z.string().nullable().meta({ description: 'Last day of the latest protection period, inclusive; null when no register date starts one' }),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Road' })

export const roadListQuerySchema = z.strictObject({
  district: z.string().max(100).optional(),
  class: roadClassSchema.optional(),
  bbox: z
    .string()
    .max(200)
    .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, 'must be minLon,minLat,maxLon,maxLat')
    .transform((value) => value.split(',').map(Number) as [number, number, number, number])
    .refine(([minLon, minLat, maxLon, maxLat]) => minLon <= maxLon && minLat <= maxLat && minLon >= -180 && maxLon <= 180 && minLat >= -90 && maxLat <= 90, {
      message: 'must be minLon,minLat,maxLon,maxLat with min ≤ max, longitudes within ±180 and latitudes within ±90',
    })
    .optional()
    .meta({ description: 'Roads whose bounding box meets this box (WGS84, RFC 7946 §5 order)', example: '117.6,24.49,117.7,24.53' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional().meta({ description: 'nextCursor of the previous page' }),
})
export type RoadListQuery = z.infer<typeof roadListQuerySchema>

export const roadHistoryEntrySchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    change: z.enum(['created', 'updated', 'deleted']),
    source: z.enum(['api', 'import', 'cli']),
    at: z.string(),
    actor: z.object({ keyId: z.string().nullable(), role: z.string() }),
    requestId: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'RoadHistoryEntry' })

/** What the service established about works at intake (src/roads/works-facts.service.ts), on a case and an assessment. */
export const lengthCheckSchema = z
  .object({
    declaredMeters: z.number(),
    measuredMeters: z.number().meta({ description: 'Geodesic length of a line; for a polygon the long side of its minimum bounding rectangle; centimetres' }),
    differenceMeters: z.number().meta({ description: 'measured − declared' }),
    withinTolerance: z.boolean().meta({ description: '|difference| ≤ the rule set tolerance (default max(2 m, 5 % of declared)), edges included' }),
    toleranceMeters: z.number(),
    decidedBy: z.enum(['declared', 'measured']).meta({ description: 'The larger length decides the route (declared on a tie)' }),
    decidingMeters: z.number(),
  })
  .nullable()
  .meta({ id: 'LengthCheck', description: 'null: the case has no geometry and the declared length decided unchecked' })

export const caseRoadSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    class: z.string(),
    protectedUntil: z.string().nullable(),
    restrictions: z.array(z.object({ from: z.string(), to: z.string(), reason: z.string() })),
    protection: z
      .object({ period: z.string(), from: z.string(), since: z.string(), until: z.string(), citation: z.string() })
      .nullable()
      .meta({ description: 'The protection period in force on the planned start date, if any' }),
    distanceMeters: z.number(),
    builtOn: z.string().nullable(),
    reconstructedOn: z.string().nullable(),
    overhauledOn: z.string().nullable(),
    registerVersion: z.number().int().meta({ description: 'The road version in the register (GET /v1/roads/{code}/history)' }),
  })
  .meta({ id: 'CaseRoad' })
