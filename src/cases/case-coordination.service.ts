/**
 * Clash detection and coordination (issue 10): every open case with a works geometry has a footprint
 * (works-footprint.repository.ts); on submission, approval and every approved change the case's footprint is checked
 * against the others — the GiST prefilter in PostgreSQL, the exact geodesic test in core/geo/works-clash.ts — and a
 * new clash is recorded once for the pair with a `case.clash_detected` event on both cases' hash chains, in the
 * transaction of the write that found it. The office then links the works (joint trench or sequenced) or dismisses the clash.
 *
 * Locks, always in this order, so that no two writers wait for each other in a circle: the area's advisory cells
 * (ascending; lockCellsOf), then case rows in id order. A transition takes the cells before it locks its own case.
 */
import type { Kysely } from 'kysely'
import { confinedOrganizationId, type Principal } from '../core/access/principal.ts'
import { shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { boundingBoxOf } from '../core/geo/geometry-parts.ts'
import type { Geometry } from '../core/geo/geometry.schema.ts'
import { clashBetween, lockCellsOf, searchBoxOf, type WorksPeriod } from '../core/geo/works-clash.ts'
import { clashBufferMetersOf } from '../core/rules/coordination.ts'
import type { Database } from '../platform/database/database.types.ts'
import { ConflictError, NotFoundError } from '../platform/errors/domain-errors.ts'
import type { IdempotencyHandle } from '../platform/idempotency/idempotency.plugin.ts'
import { runUnitOfWork, type WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { appendCaseEvent } from './case-event.repository.ts'
import { coordinationSchema } from './case-coordination.schema.ts'
import type { CaseRecord } from './case.repository.ts'
import { type CaseServiceDeps, getCaseForPrincipal, type RequestContext } from './case.service.ts'
import { type ClashDecision, type ClashRecord, decideClash, listClashesOf, lockAndTouchCases, advanceCaseVersion, lockClash, upsertClash } from './works-clash.repository.ts'
import { deleteFootprint, findFootprintGeometry, findFootprintsNear, lockWorksCells, upsertFootprint } from './works-footprint.repository.ts'

/** The statuses in which works are planned or in the ground: the case is on the map and can clash. */
const DIGGING_STATUSES: ReadonlySet<string> = new Set([
  'submitted',
  'accepted',
  'supplement_requested',
  'approved',
  'works_started',
  'filed',
  'notified',
  'formalities_completed',
  // A failed reinstatement is dug again.
  'reinstatement_failed',
])

/** The transitions after which clashes are looked for (submission is the third occasion). */
export const CLASH_CHECKING_ACTIONS: ReadonlySet<string> = new Set(['approve', 'approve_change'])

/** The advisory-lock namespace (first key) of the works area locks: "WC". */
const WORKS_LOCK_NAMESPACE = 0x5743

/** The approved period once there is one (城市道路管理条例 art. 36: an approved change binds), else the planned one. */
function worksPeriodOf(record: CaseRecord): WorksPeriod {
  const approved = record.lifecycle.decision?.approvedPeriod
  return approved ? { from: approved.from, to: approved.to } : { from: record.plannedStartDate, to: record.plannedEndDate }
}

const normalizedRoad = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ')

/** The same road: a register road both were matched to (src/roads), or, when either has none, the same road name as given. */
function onSameRoad(a: { roadCodes: string[]; roadName: string }, b: { roadCodes: string[]; roadName: string }): boolean {
  if (a.roadCodes.length > 0 && b.roadCodes.length > 0) return a.roadCodes.some((code) => b.roadCodes.includes(code))
  return normalizedRoad(a.roadName) === normalizedRoad(b.roadName)
}

/** The area locks of a check: taken before any case row lock (see above). */
async function lockWorksArea(trx: Kysely<Database>, geometry: Geometry | undefined, bufferMeters: number): Promise<void> {
  if (geometry === undefined) return
  await lockWorksCells(trx, lockCellsOf(searchBoxOf(boundingBoxOf(geometry), bufferMeters)), WORKS_LOCK_NAMESPACE)
}

/** A transition that checks clashes locks its case's area first: its geometry is read unlocked (it never changes after intake). */
export async function lockWorksAreaOfCase(trx: Kysely<Database>, caseId: string, bufferMeters: number): Promise<void> {
  await lockWorksArea(trx, await findFootprintGeometry(trx, caseId), bufferMeters)
}

/**
 * The clash buffer of the rule set the jurisdiction uses, in force on `at`'s Shanghai date (cached reads: call before
 * the transaction). Each city's rule set states its own buffer (core/rules/coordination.ts); undefined: the default
 * jurisdiction's.
 */
export async function clashBufferMetersIn(deps: Pick<CaseServiceDeps, 'ruleSets' | 'jurisdictions'>, jurisdictionCode: string | undefined, at: Date): Promise<number> {
  const jurisdiction = jurisdictionCode === undefined ? await deps.jurisdictions.defaultJurisdiction() : await deps.jurisdictions.find(jurisdictionCode)
  return clashBufferMetersOf(await deps.ruleSets.inForce(shanghaiDateOf(at), jurisdiction.ruleSetId))
}

export interface WorksSync {
  record: CaseRecord
  /** The rule set's buffer; undefined: only keep the footprint current, look for no clash. */
  bufferMeters?: number | undefined
  context: RequestContext
  at: Date
}

/**
 * Keeps the case's footprint current after a write (the caller holds its row lock) and, with a buffer, records the
 * clashes the write brought: a new pair gets a `case.clash_detected` event on both cases.
 */
/** Returns how many events it appended to the case's own chain (its version moved by as many). */
export async function syncWorksAndClashes(trx: Kysely<Database>, sync: WorksSync): Promise<number> {
  const { record, bufferMeters, context, at } = sync
  const geometry = record.location.geometry as Geometry | undefined
  if (geometry === undefined) return 0
  if (!DIGGING_STATUSES.has(record.status)) {
    await deleteFootprint(trx, record.id)
    return 0
  }
  const period = worksPeriodOf(record)
  const box = boundingBoxOf(geometry)
  const roadCodes = record.roads.map((road) => road.code)
  if (bufferMeters !== undefined) await lockWorksArea(trx, geometry, bufferMeters)
  await upsertFootprint(
    trx,
    {
      caseId: record.id,
      jurisdictionCode: record.jurisdictionCode,
      organizationId: record.organizationId,
      organizationCode: record.organizationCode,
      caseNumber: record.number,
      route: record.route,
      status: record.status,
      roadName: record.location.roadName,
      roadCodes,
      box,
      period,
      geometry,
    },
    at,
  )
  if (bufferMeters === undefined) return 0
  const found = []
  for (const other of await findFootprintsNear(trx, record.jurisdictionCode, searchBoxOf(box, bufferMeters), period, record.id)) {
    const clash = clashBetween({ geometry, period }, other, bufferMeters)
    if (clash === null) continue
    const sameRoad = onSameRoad(other, { roadCodes, roadName: record.location.roadName })
    const distanceMeters = Math.round(clash.distanceMeters * 100) / 100
    if (await upsertClash(trx, { jurisdictionCode: record.jurisdictionCode, caseId: record.id, otherCaseId: other.caseId, distanceMeters, overlap: clash.overlap, sameRoad }, at)) {
      found.push({ other, distanceMeters, overlap: clash.overlap, sameRoad })
    }
  }
  if (found.length === 0) return 0
  await lockAndTouchCases(
    trx,
    found.map((f) => f.other.caseId),
    at,
  )
  const self = { caseId: record.id, caseNumber: record.number, organizationId: record.organizationId, roadName: record.location.roadName, period }
  for (const { other, distanceMeters, overlap, sameRoad } of found) {
    const facts = { distanceMeters, overlapFrom: overlap.from, overlapTo: overlap.to, sameRoad, bufferMeters }
    const otherSide = { caseId: other.caseId, caseNumber: other.caseNumber, organizationId: other.organizationId, roadName: other.roadName, period: other.period }
    await appendClashEvent(trx, context, at, 'case.clash_detected', self, otherSide, facts)
    await appendClashEvent(trx, context, at, 'case.clash_detected', otherSide, self, facts)
  }
  await advanceCaseVersion(trx, record.id, found.length, at)
  return found.length
}

interface ClashSide {
  caseId: string
  caseNumber: string
  organizationId: string
  roadName: string
  period: WorksPeriod
}

/**
 * An event on `on`'s chain about its clash with `other`. Another organization's case appears as a dispatch key may see
 * it (number, road, period): the event reaches `on`'s organization through the feed and its webhooks.
 */
async function appendClashEvent(
  trx: Kysely<Database>,
  context: RequestContext,
  at: Date,
  type: string,
  on: ClashSide,
  other: ClashSide,
  facts: Record<string, unknown>,
): Promise<void> {
  const otherCase =
    on.organizationId === other.organizationId
      ? { caseId: other.caseId, caseNumber: other.caseNumber, road: other.roadName, period: other.period }
      : { caseNumber: other.caseNumber, road: other.roadName, period: other.period }
  await appendCaseEvent(trx, {
    caseId: on.caseId,
    organizationId: on.organizationId,
    type,
    fromStatus: null,
    toStatus: null,
    actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
    requestId: context.requestId,
    clientRequestId: context.clientRequestId ?? null,
    occurredAt: at,
    payload: { otherCase, ...facts },
  })
}

// ---------------------------------------------------------------------------------------------------
// Reading and deciding
// ---------------------------------------------------------------------------------------------------

/** A clash as the principal may see it: another organization's case, to a dispatch key, only as number, road and period. */
export type ClashView =
  | {
      caseId: string
      caseNumber: string
      road: string
      period: WorksPeriod | null
      distanceMeters: number
      overlapFrom: string
      overlapTo: string
      sameRoad: boolean
      status: ClashRecord['status']
      decision: ClashDecision | null
    }
  | { caseNumber: string; road: string; period: WorksPeriod | null }

export interface CoordinationView {
  clashes: ClashView[]
}

function clashViewFor(principal: Principal, clash: ClashRecord): ClashView {
  const confined = confinedOrganizationId(principal)
  if (confined && confined !== clash.otherOrganizationId) return { caseNumber: clash.otherCaseNumber, road: clash.otherRoadName, period: clash.otherPeriod }
  return {
    caseId: clash.otherCaseId,
    caseNumber: clash.otherCaseNumber,
    road: clash.otherRoadName,
    period: clash.otherPeriod,
    distanceMeters: clash.distanceMeters,
    overlapFrom: clash.overlap.from,
    overlapTo: clash.overlap.to,
    sameRoad: clash.sameRoad,
    status: clash.status,
    decision: clash.decision,
  }
}

/** The coordination block of a case the principal may already see. */
export async function coordinationOf(db: Kysely<Database>, principal: Principal, caseId: string): Promise<CoordinationView> {
  return { clashes: (await listClashesOf(db, caseId)).map((clash) => clashViewFor(principal, clash)) }
}

/** GET /v1/cases/{id}/clashes: the case must be visible to the principal (another organization's is not found). */
export async function readCoordination(deps: Pick<CaseServiceDeps, 'db'>, principal: Principal, caseId: string): Promise<CoordinationView> {
  await getCaseForPrincipal(deps.db, principal, caseId)
  return await coordinationOf(deps.db, principal, caseId)
}

export type CoordinationRequest =
  | { action: 'link_works'; otherCaseId: string; kind: 'joint_trench' | 'sequenced'; note: string }
  | { action: 'dismiss_clash'; otherCaseId: string; reason: string }

/**
 * The office's decision on a clash, recorded once for the pair with an event on both cases (`case.works_linked`,
 * `case.clash_dismissed`). A decided clash is not decided again (409): the record says who decided what.
 */
export async function decideCoordination(
  deps: CaseServiceDeps,
  context: RequestContext,
  caseId: string,
  request: CoordinationRequest,
  idempotency: IdempotencyHandle | null,
): Promise<{ view: CoordinationView; response: WriteResponse<CoordinationView> }> {
  const at = deps.clock.now()
  // Both cases must be visible to the key (core/access: an office key of another jurisdiction finds neither: 404),
  // read through the pool before the transaction opens.
  const self = await getCaseForPrincipal(deps.db, context.principal, caseId)
  if (request.otherCaseId !== caseId) await getCaseForPrincipal(deps.db, context.principal, request.otherCaseId)
  const bufferMeters = await clashBufferMetersIn(deps, self.jurisdictionCode, at)
  const { result, response } = await runUnitOfWork(
    deps.db,
    idempotency,
    async (trx) => {
      await lockWorksAreaOfCase(trx, caseId, bufferMeters)
      const locked = await lockAndTouchCases(trx, [caseId, request.otherCaseId], at)
      if (!locked.some((c) => c.id === caseId)) throw new NotFoundError(`No case ${caseId} is visible to this API key.`, 'case_not_found').withParams('id', { id: caseId })
      const clash = caseId === request.otherCaseId ? undefined : await lockClash(trx, caseId, request.otherCaseId)
      if (!clash)
        throw new NotFoundError(`Case ${caseId} has no clash with case ${request.otherCaseId}.`, 'clash_not_found').withParams('cases', {
          caseId,
          otherCaseId: request.otherCaseId,
        })
      if (clash.status !== 'open') throw new ConflictError(`The clash between the two cases is already ${clash.status}.`, 'clash_already_decided', { status: clash.status })
      const decidedBy = { keyId: context.principal.keyId, role: context.principal.role }
      const decision: ClashDecision =
        request.action === 'link_works'
          ? { action: 'link_works', kind: request.kind, note: request.note, decidedAt: at.toISOString(), decidedBy }
          : { action: 'dismiss_clash', reason: request.reason, decidedAt: at.toISOString(), decidedBy }
      await decideClash(trx, caseId, request.otherCaseId, request.action === 'link_works' ? 'linked' : 'dismissed', decision, at)
      const type = request.action === 'link_works' ? 'case.works_linked' : 'case.clash_dismissed'
      const numbers = await listClashesOf(trx, caseId)
      const otherNumber = numbers.find((c) => c.otherCaseId === request.otherCaseId)?.otherCaseNumber
      const selfNumber = (await listClashesOf(trx, request.otherCaseId)).find((c) => c.otherCaseId === caseId)?.otherCaseNumber
      const organizationOf = (id: string) => locked.find((c) => c.id === id)?.organizationId as string
      for (const [on, other, number] of [
        [caseId, request.otherCaseId, otherNumber],
        [request.otherCaseId, caseId, selfNumber],
      ] as const) {
        const organizationId = organizationOf(on)
        // Another organization's case is named by its number only (what a dispatch key may see of it).
        const otherCase = organizationOf(other) === organizationId ? { caseId: other, caseNumber: number } : { caseNumber: number }
        await appendCaseEvent(trx, {
          caseId: on,
          organizationId,
          type,
          fromStatus: null,
          toStatus: null,
          actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
          requestId: context.requestId,
          clientRequestId: context.clientRequestId ?? null,
          occurredAt: at,
          payload: { otherCase, ...decision },
        })
      }
      return await coordinationOf(trx, context.principal, caseId)
    },
    (view) => ({ status: 200, headers: {}, body: view, schema: coordinationSchema }),
  )
  return { view: result, response }
}
