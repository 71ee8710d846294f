/**
 * Concurrency: many concurrent transitions on one case — random mixes of valid
 * and invalid actions, right, stale, future and missing If-Match values, from dispatch and office keys —
 * never produce an illegal state or a broken hash chain.
 *
 * The requests go over a real port (separate sockets, really concurrent in the pool and in PostgreSQL).
 * Afterwards the case's history is checked three ways:
 *   1. against a from→to table written here from the state machine (an independent oracle);
 *   2. by replaying every event through the pure state machine (`applyAction`) from the initial state:
 *      each event must be what the machine produces from the state before it, and the replayed final state
 *      must be the stored one;
 *   3. with `GET /v1/cases/{id}/events/verify` (hash chain) and seq / version bookkeeping.
 */
import fc from 'fast-check'
import t from 'tap'
import { applyAction } from '../../src/core/lifecycle/case-state-machine.ts'
import { initialLifecycleState } from '../../src/core/lifecycle/lifecycle-state.ts'
import { actions, type Action, type LifecycleState } from '../../src/core/lifecycle/lifecycle.types.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { listCaseEvents } from '../../src/cases/case-event.repository.ts'
import { canonicalJson } from '../../src/core/audit/case-event-hash.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

/** Legal (event type, from, to) — written from src/core/lifecycle/case-state-machine.ts (blockedReason + handlers). */
const PRE_DECISION = ['submitted', 'accepted', 'supplement_requested']
const legal: Record<string, (from: string, to: string) => boolean> = {
  'case.accepted': (f, t) => f === 'submitted' && t === 'accepted',
  'case.not_accepted': (f, t) => f === 'submitted' && t === 'not_accepted',
  'case.supplement_requested': (f, t) => f === 'accepted' && t === 'supplement_requested',
  'case.supplement_submitted': (f, t) => f === 'supplement_requested' && t === 'accepted',
  'case.opinion_recorded': (f, t) => f === 'accepted' && t === 'accepted',
  'case.stage_completed': (f, t) => (f === 'accepted' || f === 'approved') && t === f,
  'case.approved': (f, t) => f === 'accepted' && t === 'approved',
  'case.refused': (f, t) => f === 'accepted' && t === 'refused',
  'case.withdrawn': (f, t) => PRE_DECISION.includes(f) && t === 'withdrawn',
  'case.works_started': (f, t) => (f === 'approved' || f === 'filed') && t === 'works_started',
  'case.works_completed': (f, t) => (f === 'works_started' || f === 'formalities_completed') && t === 'works_completed',
  'case.reinstatement_inspected': (f, t) => (f === 'works_completed' || f === 'reinstatement_failed') && (t === 'reinstatement_passed' || t === 'reinstatement_failed'),
  'case.closed': (f, t) => f === 'reinstatement_passed' && t === 'closed',
  'case.filing_revoked': (f, t) => ['filed', 'works_started', 'works_completed'].includes(f) && t === 'revoked',
  'case.formalities_completed': (f, t) => f === 'notified' && t === 'formalities_completed',
  'case.change_requested': (f, t) => (f === 'approved' || f === 'works_started') && t === f,
  'case.change_approved': (f, t) => f === t && !['submitted', 'accepted', 'supplement_requested', 'notified'].includes(f),
  'case.change_refused': (f, t) => f === t && !['submitted', 'accepted', 'supplement_requested', 'notified'].includes(f),
  'case.time_limit_extended': (f, t) => f === 'accepted' && t === 'accepted',
}
const INITIAL: Record<string, string> = { 'case.submitted': 'submitted', 'case.filed': 'filed', 'case.notified': 'notified' }

/** The bodies under test, one per route, so every part of the machine gets exercised. */
const routes = {
  joint_review: { excavationLengthMeters: 120 },
  fast_track: { excavationLengthMeters: 30 },
  standard: { voltageVolts: 35000, excavationLengthMeters: 30 },
  emergency_repair: { emergency: true, excavationLengthMeters: 30 },
  commitment_filing: { voltageVolts: 380, excavationLengthMeters: 80, commitment: { signedBy: 'Li Ming', statement: 'We commit to the rules.' } },
} as const
type RouteName = keyof typeof routes

const stageKeys = ['joint_survey', 'consultation', 'decision', 'issuance']

/** A valid payload for `action` given what a fresh read of the case showed (or a plausible one without it). */
function validPayload(action: Action, seen: { currentStage?: string | null }, flip: boolean): Record<string, unknown> {
  switch (action) {
    case 'accept':
      return flip ? { note: 'complete' } : {}
    case 'not_accept':
      return { reason: 'incomplete application' }
    case 'request_supplement':
      return { items: [{ item: 'traffic plan', detail: 'signed by the police' }] }
    case 'submit_supplement':
      return { note: 'attached', answers: [{ item: 'traffic plan', answer: 'attached' }] }
    case 'record_opinion':
      return { department: flip ? 'Traffic police' : 'Road authority', opinion: flip ? 'agree_with_conditions' : 'agree', conditions: flip ? ['night works only'] : undefined }
    case 'complete_stage':
      return { stage: seen.currentStage ?? stageKeys[flip ? 0 : 3] }
    case 'approve':
      return {
        approvedPosition: 'Shuixian Avenue, north side',
        approvedArea: { lengthMeters: 30, widthMeters: 0.8 },
        approvedPeriod: { from: '2026-03-02', to: '2026-03-10' },
        conditions: ['Reinstate to the original surface'],
      }
    case 'refuse':
      return { reasons: ['conflicts with the metro works'] }
    case 'withdraw':
      return flip ? { reason: 'route changed' } : {}
    case 'start_works':
    case 'complete_works':
    case 'close':
      return flip ? { note: 'ok' } : {}
    case 'inspect_reinstatement':
      return flip ? { passed: true, inspector: 'Chen' } : { passed: false, inspector: 'Chen', notes: 'surface not level' }
    case 'revoke_filing':
      return { reason: 'not compliant' }
    case 'complete_formalities':
      return { permitReference: 'P-2026-001' }
    case 'request_change':
      return flip
        ? { kind: 'extend', description: 'two more days', requestedPeriod: { from: '2026-03-02', to: '2026-03-12' } }
        : { kind: 'move', description: 'move 5 m north', requestedPosition: 'Shuixian Avenue, 5 m north' }
    case 'approve_change':
      return flip ? { note: 'fine', conditions: ['signs'] } : {}
    case 'refuse_change':
      return { reasons: ['no'] }
    case 'extend_time_limit':
      return { approver: { name: 'Wang', title: 'Director' }, reason: 'complex site' }
  }
}

/** Payloads that must be refused by validation (400) or by the machine (422), never crash it. */
const invalidPayloads: Record<string, unknown>[] = [
  { reason: '' },
  { stage: 'no_such_stage' },
  { items: [] },
  { passed: 'yes', inspector: 'Chen' },
  { approvedPosition: 'x', approvedArea: { lengthMeters: -1 }, approvedPeriod: { from: '2026-03-10', to: '2026-03-02' } },
  { unexpected: true },
  { reasons: 'not a list' },
  { approver: { name: 'W' }, reason: 'x' },
  { kind: 'extend', description: 'shorter', requestedPeriod: { from: '2026-03-02', to: '2026-03-03' } },
]

type IfMatchKind = 'fresh' | 'weak' | 'stale' | 'future' | 'missing' | 'garbage'

interface Command {
  who: 'dispatch' | 'office'
  /**
   * progress: an allowed action that does not end the case (when there is one), so runs get deep into the
   * lifecycle; allowed: any action the fresh read says this key may take; any: any action at all.
   */
  pick: 'progress' | 'allowed' | 'any'
  actionIndex: number
  invalid: number | null
  ifMatch: IfMatchKind
  flip: boolean
}

const commandArb: fc.Arbitrary<Command> = fc.record({
  who: fc.constantFrom('dispatch', 'office'),
  pick: fc.constantFrom<Command['pick']>('progress', 'progress', 'progress', 'progress', 'allowed', 'any'),
  actionIndex: fc.nat({ max: 1000 }),
  invalid: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: fc.nat({ max: invalidPayloads.length - 1 }), weight: 1 }),
  ifMatch: fc.constantFrom<IfMatchKind>('fresh', 'fresh', 'fresh', 'weak', 'stale', 'future', 'missing', 'garbage'),
  flip: fc.boolean(),
})

const ENDING: Action[] = ['not_accept', 'withdraw', 'refuse', 'revoke_filing']
const BUDGET_MS = Number(process.env.FAULTS_BUDGET_MS ?? 20_000)
const ALLOWED_STATUSES = new Set([200, 400, 403, 409, 412, 422, 428])

t.test('concurrent random transitions on one case keep the lifecycle legal and the hash chain intact', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const keys = { dispatch: await testApp.key('dispatch'), office: await testApp.key('office') }
  const auditor = await testApp.key('auditor')
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(testApp.app.server.address() as { port: number }).port}`
  const calendar = await testApp.app.calendarService.calendar()
  const seenStatuses = new Map<number, number>()
  const reachedStates = new Set<string>()
  let runs = 0
  // A wall-clock budget keeps the file bounded on a loaded machine: past it, runs stop taking commands (the
  // history written so far is still checked) and later runs are skipped.
  const deadline = Date.now() + BUDGET_MS

  const http = async (method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, any>) : null }
  }

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<RouteName>(...(Object.keys(routes) as RouteName[])),
      fc.array(commandArb, { minLength: 40, maxLength: 80 }),
      fc.integer({ min: 6, max: 16 }),
      async (route, commands, concurrency) => {
        if (Date.now() > deadline) return
        runs++
        const created = await http('POST', '/v1/cases', keys.dispatch, caseBody(routes[route]))
        if (created.status !== 201) throw new Error(`submit ${route}: ${created.status} ${JSON.stringify(created.json)}`)
        const id = created.json!.id as string
        const successEtags: string[] = []
        const failures: string[] = []

        // A fixed number of workers drain the command list: each command reads the case, then acts. A client
        // that sent the version it just read and lost the race reads again and retries (up to 3 times), as a
        // real client would.
        let next = 0
        const attempt = async (command: Command): Promise<number> => {
          const key = keys[command.who]
          const read = await http('GET', `/v1/cases/${id}`, key)
          if (read.status !== 200) {
            failures.push(`read: ${read.status}`)
            return read.status
          }
          let allowed = read.json!.allowedActions as Action[]
          // No way forward for this key: send something it may not do (refused), rather than end the case.
          if (command.pick === 'progress') allowed = allowed.filter((a) => !ENDING.includes(a))
          const action: Action =
            command.pick !== 'any' && allowed.length > 0 ? (allowed[command.actionIndex % allowed.length] as Action) : (actions[command.actionIndex % actions.length] as Action)
          const payload = command.invalid === null ? validPayload(action, { currentStage: read.json!.currentStage?.key ?? null }, command.flip) : invalidPayloads[command.invalid]
          const version = read.json!.version as number
          const ifMatch: Record<IfMatchKind, string | null> = {
            fresh: `"${version}"`,
            weak: `W/"${version}"`,
            stale: `"${Math.max(1, version - 1 - (command.actionIndex % 3))}"`,
            future: `"${version + 1 + (command.actionIndex % 5)}"`,
            missing: null,
            garbage: command.flip ? 'v1' : '"1',
          }
          const header = ifMatch[command.ifMatch]
          const response = await http('POST', `/v1/cases/${id}/transitions`, key, { action, ...payload }, header === null ? {} : { 'if-match': header })
          seenStatuses.set(response.status, (seenStatuses.get(response.status) ?? 0) + 1)
          if (!ALLOWED_STATUSES.has(response.status)) failures.push(`${action} → ${response.status} ${JSON.stringify(response.json)}`)
          if (response.status >= 400 && !response.headers.get('content-type')?.startsWith('application/problem+json')) failures.push(`${response.status} without problem+json`)
          if (response.status === 200) {
            successEtags.push(response.headers.get('etag') as string)
            reachedStates.add(`${route}:${response.json!.status}`)
          }
          return response.status
        }
        const worker = async () => {
          while (next < commands.length && Date.now() < deadline) {
            const command = commands[next++] as Command
            for (let tries = 0; tries < 4; tries++) {
              const status = await attempt(command)
              // A weak tag never matches (RFC 9110 §13.1.1): only a fresh strong tag is worth retrying.
              if (status !== 412 || command.ifMatch !== 'fresh') break
            }
          }
        }
        await Promise.all(Array.from({ length: concurrency }, worker))
        if (failures.length > 0) throw new Error(`unexpected answers: ${failures.slice(0, 5).join('; ')}`)

        // --- The stored history, checked against the table, the replayed machine and the hash chain.
        const record = await testApp.database.db.selectFrom('case').select(['status', 'version', 'lifecycle']).where('id', '=', id).executeTakeFirstOrThrow()
        const events = await listCaseEvents(testApp.database.db, id)
        const problems: string[] = []
        events.forEach((event, index) => {
          if (event.seq !== index + 1) problems.push(`seq ${event.seq} at position ${index + 1}`)
          if (index === 0) {
            if (event.fromStatus !== null || INITIAL[event.type] !== event.toStatus) problems.push(`first event ${event.type} ${event.fromStatus}→${event.toStatus}`)
            return
          }
          const previous = events[index - 1]!
          if (event.fromStatus !== previous.toStatus) problems.push(`seq ${event.seq}: from ${event.fromStatus} but the previous event left ${previous.toStatus}`)
          const rule = legal[event.type]
          if (!rule?.(event.fromStatus ?? '', event.toStatus ?? '')) problems.push(`seq ${event.seq}: illegal ${event.type} ${event.fromStatus}→${event.toStatus}`)
        })
        if (record.status !== events.at(-1)?.toStatus) problems.push(`case status ${record.status}, last event says ${events.at(-1)?.toStatus}`)
        if (record.version !== events.length) problems.push(`version ${record.version} with ${events.length} events`)
        if (successEtags.length !== events.length - 1) problems.push(`${successEtags.length} successful transitions but ${events.length - 1} transition events`)
        const sortedEtags = successEtags.map((e) => Number(e.replace(/"/g, ''))).sort((a, b) => a - b)
        if (sortedEtags.some((v, i) => v !== i + 2)) problems.push(`success ETags are not "2".."${events.length}": ${sortedEtags.join(',')}`)

        // Replay: each event must be exactly what the machine makes of the state before it.
        const first = events[0]!
        let state: LifecycleState = initialLifecycleState((first.payload as { decision: never }).decision, first.occurredAt)
        for (const event of events.slice(1)) {
          const payload = event.payload as { action: Action; input: Record<string, unknown> }
          try {
            const result = applyAction(
              state,
              { action: payload.action, payload: payload.input, actor: { keyId: event.actorKeyId!, role: event.actorRole as never }, at: event.occurredAt },
              calendar,
            )
            if (result.event.type !== event.type || result.event.fromStatus !== event.fromStatus || result.event.toStatus !== event.toStatus) {
              problems.push(`seq ${event.seq}: replay gives ${result.event.type} ${result.event.fromStatus}→${result.event.toStatus}`)
            }
            state = result.state
          } catch (error) {
            problems.push(`seq ${event.seq}: the machine refuses ${payload.action} on replay: ${(error as Error).message}`)
            break
          }
        }
        // jsonb reorders keys: compare canonical forms.
        if (problems.length === 0 && canonicalJson(JSON.parse(JSON.stringify(state))) !== canonicalJson(record.lifecycle)) {
          problems.push('the replayed lifecycle differs from the stored one')
        }

        const verify = await http('GET', `/v1/cases/${id}/events/verify`, auditor)
        if (verify.status !== 200 || verify.json!.valid !== true || verify.json!.events !== events.length) problems.push(`verify: ${JSON.stringify(verify.json)}`)
        if (problems.length > 0) throw new Error(`${route} case ${id} (${events.length} events):\n  ${problems.join('\n  ')}`)
      },
    ),
    { numRuns: 12, endOnFailure: true },
  )
  t.ok(runs >= 2, `${runs} runs within ${BUDGET_MS / 1000} s`)
  t.comment(
    `answers: ${[...seenStatuses]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  )
  t.comment(`states reached by a successful transition: ${[...reachedStates].sort().join(', ')}`)
  t.ok((seenStatuses.get(200) ?? 0) >= 10, `${seenStatuses.get(200) ?? 0} transitions succeeded amid the races`)
  t.ok((seenStatuses.get(412) ?? 0) > 0, 'stale versions were refused')
})

t.test('a burst of transitions all sent with the same fresh ETag: exactly one wins per version, the rest 412', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(testApp.app.server.address() as { port: number }).port}`
  const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

  const created = (await (await post('/v1/cases', dispatch, caseBody(routes.joint_review))).json()) as { id: string }
  // Each round: 30 opinions recorded at once, all with the version just read. Exactly one per round is written.
  let version = 1
  await post(`/v1/cases/${created.id}/transitions`, office, { action: 'accept' }, { 'if-match': '"1"' })
  version = 2
  for (let round = 0; round < 5; round++) {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(`/v1/cases/${created.id}/transitions`, office, { action: 'record_opinion', department: `Dept ${round}-${i}`, opinion: 'agree' }, { 'if-match': `"${version}"` }),
      ),
    )
    const statuses = responses.map((r) => r.status)
    t.equal(statuses.filter((s) => s === 200).length, 1, `round ${round}: one winner`)
    t.equal(statuses.filter((s) => s === 412).length, 29, `round ${round}: 29 × 412`)
    const losers = responses.filter((r) => r.status === 412)
    t.ok(
      losers.every((r) => r.headers.get('etag') === `"${version + 1}"`),
      '412 tells the current version',
    )
    version++
  }
  const events = await listCaseEvents(testApp.database.db, created.id)
  t.same(
    events.map((e) => e.seq),
    [1, 2, 3, 4, 5, 6, 7],
  )
  const verify = (await (await fetch(`${base}/v1/cases/${created.id}/events/verify`, { headers: bearer(auditor) })).json()) as { valid: boolean }
  t.equal(verify.valid, true)
})
