/**
 * Through the HTTP API: a generated rule set is published (POST /v1/rule-sets answers exactly as the
 * validator decides: 201 when it accepts, 4xx naming a path when it refuses), and once it is in force a case
 * of each of its routes goes from intake to `closed` with no 5xx on the way. The pure-core property test
 * (test/core/lifecycle/runnable-rule-sets.property.test.ts) covers many more rule sets and random walks.
 *
 * HTTP_LIFECYCLE_RUNS (default 10) sets the number of rule sets; the default rule set and its single-stage
 * variant (once accepted, and then every joint-review intake under it was a 500) are always among them.
 */
import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import { addDays, shanghaiDateOf } from '../../src/core/calendar/civil-date.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { DEFAULT_RULE_SET } from '../../src/core/rules/default-rule-set.ts'
import { decideRoute, type RouteInput } from '../../src/core/rules/route-decision.ts'
import type { Route, RuleSet } from '../../src/core/rules/rule-set.schema.ts'
import { parseRuleSet } from '../../src/core/rules/rule-set.validation.ts'
import { probeInputs, ruleSetArb } from '../helpers/rule-set-arbitrary.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'

const RUNS = Number(process.env.HTTP_LIFECYCLE_RUNS ?? 10)
const HOUR_MS = 3_600_000

t.test('every rule set the API accepts takes a case of each of its routes through the lifecycle without a 5xx', async (t) => {
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const keys = { admin: await testApp.key('admin'), office: await testApp.key('office'), dispatch: await testApp.key('dispatch') }
  const problems: string[] = []
  let published = 0
  let reference = 0

  const send = async (label: string, request: InjectOptions) => {
    const response = await app.inject(request)
    if (response.statusCode >= 500) problems.push(`${label}: ${response.statusCode} ${response.body.slice(0, 300)}`)
    return response
  }

  const payloadFor = (action: string, view: Record<string, any>): Record<string, unknown> => {
    const today = shanghaiDateOf(clock.now())
    switch (action) {
      case 'complete_stage':
        return { stage: view.currentStage?.key }
      case 'approve':
        return { approvedPosition: 'north side', approvedArea: { lengthMeters: 30 }, approvedPeriod: { from: today, to: addDays(today, 30) }, authority: 'Road authority' }
      case 'inspect_reinstatement':
        return { passed: true, inspector: 'Chen' }
      case 'complete_formalities':
        return { permitReference: 'P-1' }
      default:
        return {}
    }
  }
  const FORWARD = ['accept', 'complete_stage', 'approve', 'complete_formalities', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']

  const runCase = async (route: Route, input: RouteInput) => {
    const submitted = await send(`${route}: intake`, {
      method: 'POST',
      url: '/v1/cases',
      headers: bearer(keys.dispatch),
      payload: caseBody({ ...input, externalReference: `P-${++reference}`, commitment: { signedBy: 'Li Ming', statement: 'we comply' } }),
    })
    if (submitted.statusCode !== 201) return `${route}: intake answered ${submitted.statusCode} ${submitted.body.slice(0, 200)}`
    const id = submitted.json().id as string
    if (submitted.json().route !== route) return `${route}: the API decided ${submitted.json().route}`
    for (let step = 0; step < 30; step++) {
      const views = {
        office: await send(`${route}: read`, { method: 'GET', url: `/v1/cases/${id}`, headers: bearer(keys.office) }),
        dispatch: await send(`${route}: read`, { method: 'GET', url: `/v1/cases/${id}`, headers: bearer(keys.dispatch) }),
      }
      await send(`${route}: timeline`, { method: 'GET', url: `/v1/cases/${id}/timeline`, headers: bearer(keys.office) })
      const view = views.office.json()
      if (view.status === 'closed') return null
      const pick = FORWARD.flatMap((action) =>
        (['office', 'dispatch'] as const).filter((role) => views[role].json().allowedActions.includes(action)).map((role) => ({ action, role })),
      )[0]
      if (pick === undefined) return `${route}: stuck in ${view.status}`
      clock.advanceMs(HOUR_MS)
      const moved = await send(`${route}: ${pick.action}`, {
        method: 'POST',
        url: `/v1/cases/${id}/transitions`,
        headers: { ...bearer(keys[pick.role]), 'if-match': views[pick.role].headers.etag as string },
        payload: { action: pick.action, ...payloadFor(pick.action, view) },
      })
      if (moved.statusCode !== 200) return `${route}: ${pick.action} answered ${moved.statusCode} ${moved.body.slice(0, 200)}`
    }
    return `${route}: not closed after 30 steps`
  }

  const singleStage = structuredClone(DEFAULT_RULE_SET) as RuleSet
  singleStage.parameters.jointReviewStages = [{ key: 'all', workingDays: 8, name: 'all', description: 'the whole review at once' }]
  await fc
    .assert(
      fc.asyncProperty(ruleSetArb, async (candidate) => {
        // Each version takes effect the day after "today"; the clock then moves to it.
        const effectiveFrom = addDays(shanghaiDateOf(clock.now()), 1)
        const body = { id: candidate.id, effectiveFrom, name: `generated ${effectiveFrom}`, parameters: candidate.parameters }
        const verdict = parseRuleSet({ ...body, version: 1 })
        const response = await send('publish', { method: 'POST', url: '/v1/rule-sets', headers: bearer(keys.admin), payload: body })
        if (!verdict.ok) {
          if (response.statusCode < 400 || response.statusCode >= 500 || !(response.json().errors?.length > 0))
            problems.push(`refused by the validator but answered ${response.statusCode}`)
          return problems.length === 0
        }
        if (response.statusCode !== 201) {
          problems.push(`accepted by the validator but answered ${response.statusCode} ${response.body.slice(0, 300)}`)
          return false
        }
        published++
        clock.set(`${effectiveFrom}T02:00:00Z`)
        const byRoute = new Map<Route, RouteInput>()
        for (const input of probeInputs(verdict.ruleSet)) {
          // The API takes voltages and lengths within its bounds; so do the probes.
          const route = decideRoute(verdict.ruleSet, input).route
          if (!byRoute.has(route)) byRoute.set(route, input)
        }
        for (const [route, input] of byRoute) {
          const problem = await runCase(route, input)
          if (problem !== null) problems.push(problem)
        }
        return problems.length === 0
      }),
      { numRuns: RUNS, endOnFailure: true, examples: [[structuredClone(DEFAULT_RULE_SET) as RuleSet], [singleStage]] },
    )
    .catch((error: Error) => problems.push(`property failed: ${error.message.split('\n')[0]}`))
  t.same(problems, [], 'no 5xx, every case closed')
  t.ok(published >= 1, `${published} generated rule sets published and run`)
})
