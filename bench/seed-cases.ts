/**
 * Bulk seeding for the benchmark: `seedCases(db, count)` inserts `count` realistic cases with
 * set-based SQL (one INSERT … SELECT over generate_series per worker connection), then rebuilds the SLA
 * summary from them with one statement (`rebuildSlaSummary`) and refreshes the planner statistics.
 *
 * The cases are what the service itself would have written: a valid lifecycle document (clock ledger
 * with its derived counts and due dates, supplements, stages, decision, works, inspections, closure), the
 * route decision of the rule set in force, and the derived columns (due_at only while a deadline is
 * pending, next_deadline_at, paused, the SLA facts), so GET /v1/cases, GET /v1/cases/{id}, the timeline
 * and the SLA report all work on them and agree with each other. Working days come from the service's
 * own calendar (holidays and make-up workdays), handed to SQL as one array, the date of the k-th working
 * day after a base date: working-day arithmetic becomes adding ordinals. Every random choice is a hash of
 * the row number, so a given count and `now` always produce the same cases.
 *
 * Mix (of all cases): 40 % fast track, 30 % joint review, 8 % standard, 3 % special approval, 12 %
 * commitment filing, 7 % emergency repair; of the cases with a clock, 20 % have a supplement pause of 1–8
 * working days, about 10 % are decided late, 7 % refused, 2 % withdrawn (routes without stages), 0.3 %
 * stall and end up overdue; acceptances are spread over `years` years up to yesterday, so the cases whose
 * planned decision lies after today are open (running, or paused). Stored derived deadlines of completed
 * joint-review stages are left null: the service recomputes them on every read, as it does for every case.
 *
 * Not seeded: case events (the history tables are append-only evidence; the report and the lists do not
 * read them). Run directly: `DATABASE_URL=… node --import tsx bench/seed-cases.ts 1000000`.
 *
 * Cost: a case row is about 4.7 kB on disk (the route decision with its explanation and the lifecycle
 * document are ~6 kB of JSON before compression), so 1,000,000 cases write ~4.7 GB plus WAL; the time goes
 * into parsing and compressing that JSON (lz4 when the server has it) and writing it, not into the
 * generation. Measured on a 2-core VM shared with other work (load ~7): 152 s of inserts + 9 s summary.
 */
import { pathToFileURL } from 'node:url'
import { sql, type Kysely } from 'kysely'
import { addDays, shanghaiDateOf, toDayNumber, type CivilDate } from '../src/core/calendar/civil-date.ts'
import { CalendarService } from '../src/calendar/calendar.service.ts'
import type { Database } from '../src/platform/database/database.types.ts'
import { RuleSetService } from '../src/rule-sets/rule-set.service.ts'
import { rebuildSlaSummary } from '../src/reports/sla-summary.repository.ts'
import { decideRoute, type RouteDecision, type RouteInput } from '../src/core/rules/route-decision.ts'
import { systemClock, type Clock } from '../src/platform/clock.ts'

export { rebuildSlaSummary }

export interface SeedOptions {
  /** "Now" of the seeded world (default: the system clock). Acceptances end the working day before it. */
  now?: Date
  /** Years of acceptances up to now (default 2). */
  years?: number
  /** Concurrent INSERT statements (default 2: one per core of a small machine). */
  workers?: number
}

export interface SeedResult {
  cases: number
  decided: number
  summaryRows: number
  insertMs: number
  summaryMs: number
  totalMs: number
}

export const SEED_ORGANIZATIONS = Array.from({ length: 12 }, (_, i) => `BENCH-${String(i + 1).padStart(2, '0')}`)
export const SEED_DISTRICTS = ['Xiangcheng', 'Longwen', 'Longhai', 'Changtai', 'Zhangpu', 'Yunxiao', "Zhao'an", 'Dongshan', 'Nanjing', 'Pinghe', "Hua'an"]
/** API key ids recorded as the actors (no key rows are needed: the columns do not reference api_key). */
const OFFICE_KEY = '00000000-0000-4000-8000-0000000000b1'
const DISPATCH_KEY = '00000000-0000-4000-8000-0000000000b2'

const ROUTE_INPUTS: Record<string, RouteInput> = {
  fast_track: { voltageVolts: 10000, excavationLengthMeters: 30, emergency: false, roadProtected: false },
  joint_review: { voltageVolts: 10000, excavationLengthMeters: 120, emergency: false, roadProtected: false },
  standard: { voltageVolts: 35000, excavationLengthMeters: 80, emergency: false, roadProtected: false },
  special_approval: { voltageVolts: 10000, excavationLengthMeters: 30, emergency: false, roadProtected: true },
  commitment_filing: { voltageVolts: 380, excavationLengthMeters: 50, emergency: false, roadProtected: false },
  emergency_repair: { voltageVolts: 10000, excavationLengthMeters: 30, emergency: true, roadProtected: false },
}

export async function seedCases(db: Kysely<Database>, count: number, options: SeedOptions = {}): Promise<SeedResult> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number, got ${count}`)
  const started = Date.now()
  const now = options.now ?? systemClock.now()
  const clock: Clock = { now: () => now }
  const years = options.years ?? 2
  const workers = Math.max(1, Math.min(options.workers ?? 2, count || 1))

  // Reference data the service needs (both idempotent), and the organizations.
  const ruleSets = new RuleSetService(db, clock)
  await ruleSets.seedDefault()
  const calendars = new CalendarService(db, clock)
  await calendars.seedBuiltinYears()
  await db
    .insertInto('organization')
    .values(SEED_ORGANIZATIONS.map((code) => ({ code, name: `Benchmark power-works unit ${code}` })))
    .onConflict((oc) => oc.column('code').doNothing())
    .execute()
  const organizations = await db.selectFrom('organization').select(['id', 'code']).where('code', 'in', SEED_ORGANIZATIONS).orderBy('code').execute()

  const today = shanghaiDateOf(now)
  const ruleSet = await ruleSets.inForce(today)
  const decisions: Record<string, RouteDecision> = Object.fromEntries(Object.entries(ROUTE_INPUTS).map(([route, input]) => [route, decideRoute(ruleSet, input)]))
  for (const [route, decision] of Object.entries(decisions)) {
    if (decision.route !== route) throw new Error(`the rule set in force decides ${decision.route} for the ${route} inputs`)
  }

  // The working-day calendar: workingDates[k - 1] is the k-th working day after `base` (its ordinal k).
  const calendar = await calendars.calendar()
  const base = addDays(today, -Math.ceil(years * 366) - 40)
  const end = addDays(today, 400)
  const dayOrdinal: number[] = []
  const workingDates: CivilDate[] = []
  for (let day = base, ord = 0; day <= end; day = addDays(day, 1)) {
    if (day !== base && calendar.isWorkingDay(day).working) {
      ord++
      workingDates.push(day)
    }
    dayOrdinal.push(ord)
  }
  const ordinalOf = (date: CivilDate) => dayOrdinal[toDayNumber(date) - toDayNumber(base)] as number
  const todayOrd = ordinalOf(today)
  const fromOrd = ordinalOf(addDays(today, -Math.round(years * 365)))
  const loadedUntil = `${Math.max(1989, ...calendar.loadedYears())}-12-31`

  const insertStarted = Date.now()
  const per = Math.ceil(count / workers)
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const first = w * per + 1
      const last = Math.min(count, (w + 1) * per)
      if (first > last) return Promise.resolve()
      return insertBatch(db, {
        first,
        last,
        todayOrd,
        fromOrd,
        today,
        loadedUntil,
        workingDates,
        organizationIds: organizations.map((o) => o.id),
        ruleSet: { id: ruleSet.id, version: ruleSet.version },
        decisions,
        fingerprint: calendar.fingerprint(),
      })
    }),
  )
  const insertMs = Date.now() - insertStarted

  const summaryStarted = Date.now()
  const summaryRows = await rebuildSlaSummary(db)
  await sql`analyze "case"`.execute(db)
  await sql`vacuum (analyze) sla_daily_summary`.execute(db)
  const summaryMs = Date.now() - summaryStarted
  // Counted from the summary: a count over the fresh cases would read the whole table (no visibility map yet).
  const decided = await db
    .selectFrom('sla_daily_summary')
    .select((eb) => eb.fn.sum<number>('cases').as('n'))
    .where('dimension', '=', 'all')
    .executeTakeFirstOrThrow()
  return { cases: count, decided: Number(decided.n ?? 0), summaryRows, insertMs, summaryMs, totalMs: Date.now() - started }
}

interface BatchParameters {
  first: number
  last: number
  todayOrd: number
  fromOrd: number
  today: CivilDate
  loadedUntil: CivilDate
  workingDates: CivilDate[]
  organizationIds: string[]
  ruleSet: { id: string; version: number }
  decisions: Record<string, RouteDecision>
  fingerprint: string
}

/** One INSERT … SELECT of the rows first..last (row numbers drive every hashed choice). */
async function insertBatch(db: Kysely<Database>, p: BatchParameters): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // A bulk load is not a request: the pool's statement timeout does not apply to it.
    await sql`set local statement_timeout = 0`.execute(trx)
    // Memoize would hash the wide lateral rows for nothing: every row differs.
    await sql`set local enable_memoize = off`.execute(trx)
    // lz4 compresses the documents several times faster than the default pglz (when the server has it).
    const lz4 = await sql<{ ok: boolean }>`select 'lz4' = any (enumvals) as ok from pg_settings where name = 'default_toast_compression'`.execute(trx)
    if (lz4.rows[0]?.ok) await sql`set local default_toast_compression = 'lz4'`.execute(trx)
    await insertRows(trx, p)
  })
}

// ---------------------------------------------------------------------------------------------------
// JSON documents as SQL text expressions. Concatenating text and parsing it once into jsonb is several
// times cheaper per row than nesting jsonb_build_object calls (each of which re-encodes its arguments).
// Only values that need no JSON escaping go through `str` (dates, instants, fixed words).
// ---------------------------------------------------------------------------------------------------

/** A SQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`
/** A constant JSON value. */
const constant = (value: unknown) => literal(JSON.stringify(value))
/** A SQL text / date expression as a JSON string (null → null). */
const str = (expression: string) => `coalesce('"' || (${expression})::text || '"', 'null')`
/** A SQL number / boolean expression as JSON (null → null). */
const num = (expression: string) => `coalesce((${expression})::text, 'null')`
/** An object; concat() builds it in one allocation (a chain of || would copy the growing text at every step). */
const obj = (fields: Record<string, string>) =>
  `concat('{', ${Object.entries(fields)
    .map(([key, value], index) => `'${index === 0 ? '' : ','}"${key}":', ${value}`)
    .join(', ')}, '}')`
/** A JSON array of the items whose condition holds (condition null: always). */
const arrayOf = (items: Array<[condition: string | null, item: string]>) =>
  `('[' || concat_ws(',', ${items.map(([condition, item]) => (condition === null ? item : `case when ${condition} then ${item} end`)).join(', ')}) || ']')`
const JSON_NULL = `'null'`
const JSON_EMPTY = `'[]'`
const JSON_TRUE = `'true'`
const JSON_FALSE = `'false'`
const when = (condition: string, then: string, otherwise = JSON_NULL) => `(case when ${condition} then ${then} else ${otherwise} end)`
/** A value that depends on the route only. */
const perRoute = (routes: string[], valueFor: (route: string) => string) => `(case r.route ${routes.map((route) => `when '${route}' then ${valueFor(route)}`).join(' ')} end)`

const OFFICE = constant({ keyId: OFFICE_KEY, role: 'office' })
const DISPATCH = constant({ keyId: DISPATCH_KEY, role: 'dispatch' })

function lifecycleDocument(decisions: Record<string, RouteDecision>, fingerprint: string): string {
  const routes = Object.keys(decisions)
  const plan = (route: string) => {
    const d = decisions[route] as RouteDecision
    return constant({
      timeLimit: d.timeLimit,
      extension: d.extension,
      stages: d.stages.map(({ key, workingDays, name }) => ({ key, workingDays, name })),
      approvingAuthority: d.approvingAuthority,
      requiresApproval: d.requiresApproval,
    })
  }
  const ledgerEntry = (kind: string, fields: { at: string; date: string; reason: string; actor: string; used: string; due: string; provisional: string }) =>
    obj({
      kind: constant(kind),
      at: str(fields.at),
      date: str(fields.date),
      reason: constant(fields.reason),
      actor: fields.actor,
      limitWorkingDays: num('q.lim'),
      workingDaysUsed: num(fields.used),
      workingDaysRemaining: num(`q.lim - ${fields.used}`),
      dueDate: str(fields.due),
      provisional: num(fields.provisional),
    })
  const ledger = arrayOf([
    [
      null,
      ledgerEntry('start', {
        at: 'i.acc_txt',
        date: 's.a_d',
        reason: 'accepted (受理): the statutory clock starts',
        actor: OFFICE,
        used: '0',
        due: 't.start_due_d',
        provisional: 'coalesce(t.start_due_d > k.loaded_until, false)',
      }),
    ],
    [
      's.pause_done',
      ledgerEntry('pause', {
        at: 'i.pause_txt',
        date: 's.p_d',
        reason: 'supplement (补正) requested, 1 item(s): the clock pauses until the applicant answers (行政许可法 art. 32, 45)',
        actor: OFFICE,
        used: 'o.p_off',
        due: 'null::date',
        provisional: 's.p_d > k.loaded_until',
      }),
    ],
    [
      's.resume_done',
      ledgerEntry('resume', {
        at: 'i.resume_txt',
        date: 's.r_d',
        reason: 'supplement submitted: the clock resumes with the working days left; the resubmission day is not counted (民法典 art. 201)',
        actor: DISPATCH,
        used: 'o.p_off',
        due: 't.final_due_d',
        provisional: 'coalesce(greatest(s.r_d, t.final_due_d) > k.loaded_until, false)',
      }),
    ],
    [
      "s.stopped and q.fate = 'withdrawn'",
      ledgerEntry('stop', {
        at: 'i.stop_txt',
        date: 's.s_d',
        reason: 'withdrawn by the applicant; the clock stops',
        actor: DISPATCH,
        used: 'q.w',
        due: 't.final_due_d',
        provisional: 'i.provisional',
      }),
    ],
    [
      "s.stopped and q.fate = 'refused'",
      ledgerEntry('stop', {
        at: 'i.stop_txt',
        date: 's.s_d',
        reason: 'decision: refused; the clock stops',
        actor: OFFICE,
        used: 'q.w',
        due: 't.final_due_d',
        provisional: 'i.provisional',
      }),
    ],
    [
      "s.stopped and q.fate = 'approved' and r.route = 'joint_review'",
      ledgerEntry('stop', {
        at: 'i.stop_txt',
        date: 's.s_d',
        reason: 'permit issued: the joint review is complete and the clock stops',
        actor: OFFICE,
        used: 'q.w',
        due: 't.final_due_d',
        provisional: 'i.provisional',
      }),
    ],
    [
      "s.stopped and q.fate = 'approved' and r.route <> 'joint_review'",
      ledgerEntry('stop', {
        at: 'i.stop_txt',
        date: 's.s_d',
        reason: 'decision: approved; the clock stops',
        actor: OFFICE,
        used: 'q.w',
        due: 't.final_due_d',
        provisional: 'i.provisional',
      }),
    ],
  ])
  const clock = obj({
    ledger,
    status: str('i.clock_status'),
    startedOn: str('s.a_d'),
    limitWorkingDays: num('q.lim'),
    dueDate: str('t.last_due_d'),
    provisional: num('i.provisional'),
    calendarFingerprint: constant(fingerprint),
  })
  const jrStages = (decisions.joint_review as RouteDecision).stages
  const stage = (index: number, fields: Record<string, string>) => {
    const planned = jrStages[index] as RouteDecision['stages'][number]
    return obj({
      key: constant(planned.key),
      name: constant(planned.name),
      workingDays: literal(String(planned.workingDays)),
      status: constant('pending'),
      startedAt: JSON_NULL,
      startedOn: JSON_NULL,
      dueDate: JSON_NULL,
      provisional: JSON_FALSE,
      completedAt: JSON_NULL,
      completedOn: JSON_NULL,
      completedBy: JSON_NULL,
      late: JSON_NULL,
      summary: JSON_NULL,
      opinions: JSON_EMPTY,
      ...fields,
    })
  }
  const completed = (index: number, started: string, done: string) =>
    stage(index, {
      status: constant('completed'),
      startedAt: str(started),
      startedOn: str(`left(${started}, 10)`),
      completedAt: str(done),
      completedOn: str(`left(${done}, 10)`),
      completedBy: OFFICE,
    })
  // Four stages completed at the joint-review decision; otherwise the survey is in progress.
  const stageTimes = ['i.acc_txt', 'i.c1_txt', 'i.c2_txt', 'i.decision_txt', 'i.stop_txt']
  const decidedStages = `('[' || ${jrStages.map((_, n) => completed(n, stageTimes[n] as string, stageTimes[n + 1] as string)).join(` || ',' || `)} || ']')`
  const openStages = `('[' || ${jrStages
    .map((_, n) => (n === 0 ? stage(0, { status: constant('in_progress'), startedAt: str('i.acc_txt'), startedOn: str('s.a_d'), dueDate: str('t.stage_due_d') }) : stage(n, {})))
    .join(` || ',' || `)} || ']')`
  const pauseRecorded = 's.pause_done'
  const decision = (outcome: 'approved' | 'refused') =>
    obj({
      outcome: constant(outcome),
      decidedAt: str('i.decision_txt'),
      decidedOn: str('t.decision_d'),
      decidedBy: OFFICE,
      authority: perRoute(routes, (route) => constant((decisions[route] as RouteDecision).approvingAuthority)),
      approvedBy: JSON_NULL,
      reference: JSON_NULL,
      approvedPosition: outcome === 'approved' ? `'"Road ' || (g.i % 97) || ', north side"'` : JSON_NULL,
      approvedArea: outcome === 'approved' ? constant({ lengthMeters: 30, widthMeters: 0.8 }) : JSON_NULL,
      approvedPeriod: outcome === 'approved' ? obj({ from: str('s.s_d + 3'), to: str('s.s_d + 10') }) : JSON_NULL,
      conditions: outcome === 'approved' ? constant(['Reinstate to the original surface']) : JSON_EMPTY,
      reasons: outcome === 'approved' ? JSON_EMPTY : constant(['the traffic diversion blocks a hospital entrance']),
      withinTimeLimit: num('t.decision_d <= t.final_due_d'),
      permitIssuedAt: outcome === 'approved' ? str('i.stop_txt') : JSON_NULL,
    })
  const emptyWorks = constant({
    startedAt: null,
    startedBy: null,
    completedAt: null,
    completedBy: null,
    startNote: null,
    completionNote: null,
    startedOutsideApprovedPeriod: null,
    completedAfterApprovedPeriod: null,
  })
  return obj({
    schemaVersion: "'1'",
    route: str('r.route'),
    status: str('i.status'),
    submittedAt: str('i.sub_txt'),
    plan: perRoute(routes, plan),
    clock: when('q.clocked', clock),
    stages: when("r.route <> 'joint_review'", JSON_EMPTY, when('t.decided', decidedStages, openStages)),
    currentStage: when("r.route = 'joint_review' and not s.stopped", constant('joint_survey')),
    acceptanceRound: when('q.clocked', "'1'", "'0'"),
    acceptance: when('q.clocked', obj({ round: "'1'", at: str('i.acc_txt'), by: OFFICE, note: JSON_NULL })),
    notAccepted: JSON_NULL,
    supplementRequestedThisRound: num(pauseRecorded),
    supplements: when(
      pauseRecorded,
      `'[' || ${obj({
        round: "'1'",
        stage: when("r.route = 'joint_review'", constant('joint_survey')),
        items: constant([{ item: 'traffic diversion plan', detail: null }]),
        note: JSON_NULL,
        requestedAt: str('i.pause_txt'),
        requestedBy: OFFICE,
        submittedAt: when('s.resume_done', str('i.resume_txt')),
        submittedBy: when('s.resume_done', DISPATCH),
        answers: JSON_EMPTY,
        documents: when('s.resume_done', constant(['supplement.pdf']), JSON_EMPTY),
        submissionNote: JSON_NULL,
      })} || ']'`,
      JSON_EMPTY,
    ),
    decision: when("t.decided and q.fate = 'approved'", decision('approved'), when('t.decided', decision('refused'))),
    extension: JSON_NULL,
    formalities: when(
      "r.route = 'emergency_repair'",
      obj({
        notifiedAt: str('i.sub_txt'),
        dueAt: str('i.formalities_due_txt'),
        completedAt: when("q.fate <> 'stalled'", str(`s.a_d::text || 'T14:00:00.000+08:00'`)),
        completedBy: when("q.fate <> 'stalled'", DISPATCH),
        permitReference: when("q.fate <> 'stalled'", `'"ZZ-PERMIT-' || g.i || '"'`),
        documents: JSON_EMPTY,
        note: JSON_NULL,
      }),
    ),
    works: when(
      "r.route = 'emergency_repair'",
      obj({
        startedAt: str('i.sub_txt'),
        startedBy: JSON_NULL,
        completedAt: JSON_NULL,
        completedBy: JSON_NULL,
        startNote: JSON_NULL,
        completionNote: JSON_NULL,
        startedOutsideApprovedPeriod: JSON_NULL,
        completedAfterApprovedPeriod: JSON_NULL,
      }),
      when(
        't.closed',
        obj({
          startedAt: str(`(s.s_d + 3)::text || 'T08:00:00.000+08:00'`),
          startedBy: DISPATCH,
          completedAt: str(`(s.s_d + 10)::text || 'T17:00:00.000+08:00'`),
          completedBy: DISPATCH,
          startNote: JSON_NULL,
          completionNote: JSON_NULL,
          startedOutsideApprovedPeriod: JSON_FALSE,
          completedAfterApprovedPeriod: JSON_FALSE,
        }),
        emptyWorks,
      ),
    ),
    inspections: when(
      't.closed',
      `'[' || ${obj({ passed: JSON_TRUE, at: str(`(s.s_d + 12)::text || 'T10:00:00.000+08:00'`), inspector: constant('Chen'), notes: JSON_NULL, by: OFFICE })} || ']'`,
      JSON_EMPTY,
    ),
    pendingChange: JSON_NULL,
    changes: JSON_EMPTY,
    withdrawal: when("s.stopped and q.fate = 'withdrawn'", obj({ at: str('i.stop_txt'), by: DISPATCH, reason: constant('route redesigned') })),
    closure: when('t.closed', obj({ at: str(`(s.s_d + 13)::text || 'T10:00:00.000+08:00'`), by: OFFICE, note: JSON_NULL })),
    revocation: JSON_NULL,
  })
}

async function insertRows(db: Kysely<Database>, p: BatchParameters): Promise<void> {
  const routes = Object.keys(p.decisions)
  const decisionColumn = perRoute(routes, (route) => `${constant(p.decisions[route])}::jsonb`)
  const lifecycle = lifecycleDocument(p.decisions, p.fingerprint)
  // Instants: a working day and a Shanghai wall time; the text form is what formatShanghaiInstant writes.
  await sql`
    with k as (
      select ${p.workingDates}::date[] as wd, ${p.todayOrd}::int as today_ord, ${p.fromOrd}::int as from_ord,
        ${p.today}::date as today, ${p.loadedUntil}::date as loaded_until, ${p.organizationIds}::uuid[] as orgs, ${SEED_DISTRICTS}::text[] as districts
    )
    insert into "case" (
      number, organization_id, route, status, rule_set_id, rule_set_version, decision, voltage_volts, excavation_length_meters,
      emergency, road_protected, works, location, district, planned_start_date, planned_end_date, contact, commitment,
      filing_receipt_number, submitted_at, formalities_due_at, version, created_by_key_id, updated_at, lifecycle,
      accepted_at, decided_at, due_date, due_at, next_deadline_at, paused, clock_provisional, current_stage,
      sla_decided_on, sla_working_days, sla_paused_working_days, sla_within_limit, sla_had_supplement
    )
    select
      i.number, k.orgs[r.org_idx], r.route, i.status, ${p.ruleSet.id}, ${p.ruleSet.version}, ${sql.raw(decisionColumn)},
      (case r.route when 'standard' then 35000 when 'commitment_filing' then 380 else 10000 end),
      (case r.route when 'joint_review' then 120 when 'standard' then 80 when 'commitment_filing' then 50 else 30 end),
      r.route = 'emergency_repair', r.route = 'special_approval',
      ('{"title": "Power cable works ' || g.i || '"}')::jsonb,
      ('{"district": "' || k.districts[r.district_idx] || '", "roadName": "Road ' || (g.i % 97) || '"}')::jsonb,
      k.districts[r.district_idx], s.a_d + 14, s.a_d + 24,
      '{"name": "Li Ming", "phone": "0596-2345678"}'::jsonb,
      case when r.route = 'commitment_filing' then '{"signedBy": "Li Ming", "statement": "We commit to the rules."}'::jsonb end,
      case when r.route = 'commitment_filing' then replace(i.number, 'ZZ-', 'ZZ-BB-') end,
      i.sub_at, case when r.route = 'emergency_repair' then i.sub_at + interval '24 hours' end,
      1 + case when q.clocked then 1 + s.pause_done::int + s.resume_done::int + s.stopped::int else 0 end
        + case when r.route = 'joint_review' and t.decided then 3 else 0 end + case when t.closed then 4 else 0 end
        + case when r.route = 'emergency_repair' and q.fate <> 'stalled' then 1 else 0 end,
      ${DISPATCH_KEY}::uuid,
      (i.last_d + time '16:30') at time zone 'Asia/Shanghai',
      (${sql.raw(lifecycle)})::jsonb,
      case when q.clocked then (s.a_d + time '09:00' + make_interval(mins => g.i % 60)) at time zone 'Asia/Shanghai' end,
      case when t.decided then (t.decision_d + case when r.route = 'joint_review' then time '16:00' else time '16:30' end) at time zone 'Asia/Shanghai' end,
      case when q.clocked then t.last_due_d when r.route = 'emergency_repair' and q.fate = 'stalled' then ((i.sub_at + interval '24 hours') at time zone 'Asia/Shanghai')::date end,
      i.due_at,
      case when i.due_at is null then null
           when r.route = 'joint_review' then least(i.due_at, (t.stage_due_d + 1)::timestamp at time zone 'Asia/Shanghai' - interval '1 millisecond')
           else i.due_at end,
      t.paused_now, q.clocked and i.provisional,
      case when r.route = 'joint_review' and not s.stopped then 'joint_survey' end,
      case when t.decided then s.s_d end,
      case when t.decided then q.w end,
      case when t.decided then case when q.has_pause then q.r_len else 0 end end,
      case when t.decided and q.lim is not null then o.s_ord <= o.due_ord end,
      case when t.decided then q.has_pause end
    from k
    cross join generate_series(${p.first}::int, ${p.last}::int) as g(i)
    -- Each step is a lateral subquery fenced with OFFSET 0: evaluated once per row, instead of being inlined
    -- (and recomputed) into every expression that uses it.
    cross join lateral (
      -- uniform numbers in [0, 1) hashed from the row number
      select
        (hashint8extended(g.i, 1) & 2147483647)::float8 / 2147483648 as u_route,
        (hashint8extended(g.i, 2) & 2147483647)::float8 / 2147483648 as u_org,
        (hashint8extended(g.i, 3) & 2147483647)::float8 / 2147483648 as u_district,
        (hashint8extended(g.i, 4) & 2147483647)::float8 / 2147483648 as u_day,
        (hashint8extended(g.i, 5) & 2147483647)::float8 / 2147483648 as u_days,
        (hashint8extended(g.i, 6) & 2147483647)::float8 / 2147483648 as u_late,
        (hashint8extended(g.i, 7) & 2147483647)::float8 / 2147483648 as u_pause,
        (hashint8extended(g.i, 8) & 2147483647)::float8 / 2147483648 as u_pause_at,
        (hashint8extended(g.i, 9) & 2147483647)::float8 / 2147483648 as u_pause_len,
        (hashint8extended(g.i, 10) & 2147483647)::float8 / 2147483648 as u_fate,
        nextval('case_number_seq') as seq
      offset 0
    ) u
    cross join lateral (
      select
        case when u.u_route < 0.40 then 'fast_track' when u.u_route < 0.70 then 'joint_review' when u.u_route < 0.78 then 'standard'
             when u.u_route < 0.81 then 'special_approval' when u.u_route < 0.93 then 'commitment_filing' else 'emergency_repair' end as route,
        1 + floor(u.u_org * cardinality(k.orgs))::int as org_idx,
        1 + floor(u.u_district * cardinality(k.districts))::int as district_idx,
        -- acceptance: a working day from from_ord up to the working day before today
        k.from_ord + floor(u.u_day * (k.today_ord - 1 - k.from_ord))::int as a_ord,
        lpad((g.i % 60)::text, 2, '0') as mm
      offset 0
    ) r
    cross join lateral (
      select
        r.route in ('fast_track', 'joint_review', 'standard', 'special_approval') as clocked,
        case r.route when 'fast_track' then 2 when 'joint_review' then 8 when 'standard' then 20 end as lim,
        -- working days from acceptance to the decision, pauses excluded
        case r.route
          when 'fast_track' then case when u.u_days < 0.3 then 1 when u.u_days < 0.9 then 2 else 3 + floor(u.u_late * 4)::int end
          when 'joint_review' then case when u.u_days < 0.88 then 4 + floor(u.u_late * 5)::int else 9 + floor(u.u_late * 6)::int end
          when 'standard' then case when u.u_days < 0.9 then 6 + floor(u.u_late * 15)::int else 21 + floor(u.u_late * 10)::int end
          when 'special_approval' then 10 + floor(u.u_late * 40)::int
          else 0
        end as w,
        u.u_pause < 0.2 and r.route in ('fast_track', 'joint_review', 'standard', 'special_approval') as has_pause,
        1 + floor(u.u_pause_len * 8)::int as r_len,
        case when u.u_fate < 0.003 then 'stalled'
             when u.u_fate < 0.023 and r.route <> 'joint_review' then 'withdrawn'
             when u.u_fate < 0.093 and r.route <> 'joint_review' then 'refused'
             else 'approved' end as fate
      offset 0
    ) q
    cross join lateral (
      -- the pause comes while the case is under review: for a joint review, before the approval (at 7/8)
      select floor(u.u_pause_at * (case when r.route = 'joint_review' then q.w * 7 / 8 else q.w end))::int as p_off offset 0
    ) p0
    cross join lateral (
      select
        p0.p_off,
        r.a_ord + p0.p_off as p_ord,
        r.a_ord + p0.p_off + q.r_len as r_ord,
        r.a_ord + q.w + case when q.has_pause then q.r_len else 0 end as s_ord,
        -- the due date once the pause is over (addActiveWorkingDays): later by the paused days if the limit runs past the pause
        r.a_ord + q.lim + case when q.has_pause and q.lim > p0.p_off then q.r_len else 0 end as due_ord
      offset 0
    ) o
    cross join lateral (
      select
        q.clocked and q.fate <> 'stalled' and o.s_ord < k.today_ord as stopped,
        q.has_pause and o.p_ord < k.today_ord as pause_done,
        q.has_pause and o.r_ord < k.today_ord as resume_done,
        k.wd[r.a_ord] as a_d, k.wd[o.p_ord] as p_d, k.wd[o.r_ord] as r_d, k.wd[o.s_ord] as s_d,
        -- joint review stage completions at 4/8, 6/8 and 7/8 (the approval) of its working days; issuance at the end
        k.wd[r.a_ord + (q.w * 4 / 8) + case when q.has_pause and (q.w * 4 / 8) > o.p_off then q.r_len else 0 end] as c1_d,
        k.wd[r.a_ord + (q.w * 6 / 8) + case when q.has_pause and (q.w * 6 / 8) > o.p_off then q.r_len else 0 end] as c2_d,
        k.wd[r.a_ord + (q.w * 7 / 8) + case when q.has_pause and (q.w * 7 / 8) > o.p_off then q.r_len else 0 end] as c3_d
      offset 0
    ) s
    cross join lateral (
      select
        s.stopped and q.fate in ('approved', 'refused') as decided,
        s.pause_done and not s.resume_done as paused_now,
        k.wd[r.a_ord + q.lim] as start_due_d,
        k.wd[o.due_ord] as final_due_d,
        -- the due date of the last ledger entry: none while paused
        case when s.pause_done and not s.resume_done then null when s.resume_done or s.stopped then k.wd[o.due_ord] else k.wd[r.a_ord + q.lim] end as last_due_d,
        k.wd[r.a_ord + 4 + case when s.resume_done and o.p_off < 4 then q.r_len else 0 end] as stage_due_d,
        case when r.route = 'joint_review' then s.c3_d else s.s_d end as decision_d,
        s.stopped and q.fate = 'approved' and s.s_d + 13 < k.today as closed
      offset 0
    ) t
    cross join lateral (
      select
        'ZZ-' || extract(year from s.a_d)::int || '-' || lpad(u.seq::text, greatest(6, length(u.seq::text)), '0') as number,
        case
          when r.route = 'commitment_filing' then 'filed'
          when r.route = 'emergency_repair' then case when q.fate = 'stalled' then 'notified' else 'formalities_completed' end
          when s.stopped then case when q.fate = 'withdrawn' then 'withdrawn' when q.fate = 'refused' then 'refused' when t.closed then 'closed' else 'approved' end
          when t.paused_now then 'supplement_requested'
          else 'accepted'
        end as status,
        case when s.stopped then 'stopped' when t.paused_now then 'paused' else 'running' end as clock_status,
        s.a_d::text || 'T08:' || r.mm || ':00.000+08:00' as sub_txt,
        s.a_d::text || 'T09:' || r.mm || ':00.000+08:00' as acc_txt,
        s.p_d::text || 'T17:30:00.000+08:00' as pause_txt,
        s.r_d::text || 'T09:30:00.000+08:00' as resume_txt,
        s.c1_d::text || 'T15:00:00.000+08:00' as c1_txt,
        s.c2_d::text || 'T15:30:00.000+08:00' as c2_txt,
        t.decision_d::text || case when r.route = 'joint_review' then 'T16:00:00.000+08:00' else 'T16:30:00.000+08:00' end as decision_txt,
        s.s_d::text || 'T16:30:00.000+08:00' as stop_txt,
        (s.a_d + 1)::text || 'T08:' || r.mm || ':00.000+08:00' as formalities_due_txt,
        (s.a_d + time '08:00' + make_interval(mins => g.i % 60)) at time zone 'Asia/Shanghai' as sub_at,
        case when q.clocked and not s.stopped and not t.paused_now and q.lim is not null then ((k.wd[case when s.resume_done then o.due_ord else r.a_ord + q.lim end] + 1)::timestamp at time zone 'Asia/Shanghai') - interval '1 millisecond'
             when r.route = 'emergency_repair' and q.fate = 'stalled' then (s.a_d + time '08:00' + make_interval(mins => g.i % 60)) at time zone 'Asia/Shanghai' + interval '24 hours' end as due_at,
        greatest(s.a_d, case when s.stopped then s.s_d when s.resume_done then s.r_d when s.pause_done then s.p_d else s.a_d end) as last_d,
        coalesce(greatest(case when s.stopped then s.s_d else k.today end, case when t.paused_now then null else k.wd[o.due_ord] end) > k.loaded_until, false) as provisional
      offset 0
    ) i
  `.execute(db)
}

// `node --import tsx bench/seed-cases.ts [count]`: seed the database of DATABASE_URL.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { createDatabase } = await import('../src/platform/database/database.ts')
  const { prepareDatabase } = await import('../src/prepare-database.ts')
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('Set DATABASE_URL to the database to seed.')
  const database = createDatabase({ connectionString: url, poolMax: 4, statementTimeoutMs: 0 })
  try {
    await prepareDatabase(database.db)
    const result = await seedCases(database.db, Number(process.argv[2] ?? 1_000_000))
    console.log(JSON.stringify(result))
  } finally {
    await database.close()
  }
}
