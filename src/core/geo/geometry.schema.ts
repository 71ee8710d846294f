/**
 * The GeoJSON geometries the service accepts for works and roads (RFC 7946, WGS84, positions
 * [longitude, latitude]): LineString, MultiLineString and Polygon. This is the *shape*; whether a
 * geometry is usable (simple, inside the jurisdiction, not too many vertices) is geometry-validation.ts,
 * because those limits are rule-set data and their failures are 422, not 400 (domain-errors.ts).
 */
import { z } from 'zod'

/** Far more than any limit a rule set sets (geometry-validation.ts): the shape check stays cheap. */
const MAX_POSITIONS = 10_000

/** A WGS84 position [longitude, latitude] (RFC 7946 §3.1.1); an altitude or more is allowed and ignored. */
const positionSchema = z
  .tuple([z.number().min(-180, 'longitude must be ≥ -180').max(180, 'longitude must be ≤ 180'), z.number().min(-90, 'latitude must be ≥ -90').max(90, 'latitude must be ≤ 90')])
  .rest(z.number())

const lineCoordinatesSchema = z.array(positionSchema).min(2, 'a LineString needs at least two positions').max(MAX_POSITIONS)

const lineStringSchema = z.strictObject({ type: z.literal('LineString'), coordinates: lineCoordinatesSchema })

const multiLineStringSchema = z.strictObject({ type: z.literal('MultiLineString'), coordinates: z.array(lineCoordinatesSchema).min(1).max(100) })

/** RFC 7946 §3.1.6: each ring has four or more positions and is closed (first equals last). */
const linearRingSchema = z
  .array(positionSchema)
  .min(4, 'a polygon ring needs at least four positions')
  .max(MAX_POSITIONS)
  .refine((ring) => ring.length < 4 || (ring[0]?.[0] === ring.at(-1)?.[0] && ring[0]?.[1] === ring.at(-1)?.[1]), 'a polygon ring must be closed (first position equals last)')

const polygonSchema = z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(linearRingSchema).min(1).max(100) })

export const geometrySchema = z
  .discriminatedUnion('type', [lineStringSchema, multiLineStringSchema, polygonSchema])
  .meta({ id: 'Geometry', description: 'GeoJSON LineString, MultiLineString or Polygon in WGS84, positions [longitude, latitude] (RFC 7946)' })

export type Geometry = z.infer<typeof geometrySchema>
