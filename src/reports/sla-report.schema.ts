import { z } from 'zod'
import { toDayNumber } from '../core/calendar/civil-date.ts'
import { civilDateSchema, isSupportedCivilDate, SUPPORTED_DATES } from '../core/calendar/date.schema.ts'

/**
 * Longest period one report covers, in days (about three years). The summary answers any span quickly;
 * the bound keeps a typo such as 1026 for 2026 from becoming a request over ten centuries.
 */
const MAX_REPORT_SPAN_DAYS = 1096

const periodDate = (description: string) => civilDateSchema.meta({ example: '2026-03-01', description })

/** from ≤ to, and no longer than MAX_REPORT_SPAN_DAYS (both days included). */
function checkPeriod(value: { from: string; to: string }, ctx: z.core.$RefinementCtx): void {
  if (!isSupportedCivilDate(value.from) || !isSupportedCivilDate(value.to)) return
  const days = toDayNumber(value.to) - toDayNumber(value.from) + 1
  if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be on or after from (${value.from})` })
  else if (days > MAX_REPORT_SPAN_DAYS) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may cover at most ${MAX_REPORT_SPAN_DAYS} days; it covers ${days}` })
  }
}

const period = {
  from: periodDate(`First decision date of the period, included; a date ${SUPPORTED_DATES}`),
  to: periodDate(`Last decision date of the period, included; a date ${SUPPORTED_DATES}; the period covers at most ${MAX_REPORT_SPAN_DAYS} days`),
}

const slaGroupBySchema = z.enum(['route', 'month', 'district', 'organization', 'jurisdiction'])

export const slaReportQuerySchema = z
  .strictObject({
    ...period,
    groupBy: slaGroupBySchema.default('route').meta({ description: 'route, month (YYYY-MM of the decision date), district, organization (its code), or jurisdiction (its code)' }),
    jurisdiction: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be a jurisdiction code like "zhangzhou"')
      .optional()
      .meta({ description: "Only this jurisdiction's cases (GET /v1/jurisdictions). A key scoped to a jurisdiction counts its own only; naming another counts nothing" }),
  })
  .superRefine(checkPeriod)

export const timelineExportQuerySchema = z.strictObject(period).superRefine(checkPeriod)

const count = (description: string) => z.number().int().meta({ description })
const nullableNumber = (description: string) => z.number().nullable().meta({ description })

const figures = {
  casesDecided: count(
    'Cases whose statutory clock was stopped by a decision in the period: approve or refuse; for an approved joint review, the issuance of the permit, which the 8 working days include. Withdrawals, commitment filings and emergency repairs are not decided cases.',
  ),
  casesWithTimeLimit: count('Decided cases whose route has a working-day limit (special approval has none)'),
  decidedOnTime: count('Decided cases with a limit decided on or before the due date in force (pauses and an extension move it)'),
  onTimeRate: nullableNumber('decidedOnTime / casesWithTimeLimit, rounded to 4 decimals; null when no case has a limit'),
  medianWorkingDays: nullableNumber(
    'Median working days from acceptance to decision, pauses excluded, the acceptance day not counted; linear interpolation (percentile_cont, PERCENTILE.INC); null with no decided case',
  ),
  p90WorkingDays: nullableNumber('90th percentile of the same, same method: the value at position 0.9·(n−1) of the sorted values, interpolated'),
  pausedWorkingDaysTotal: count('Working days decided cases spent paused for a supplement (补正), pause day excluded, resume day included'),
  pausedWorkingDaysAverage: nullableNumber('pausedWorkingDaysTotal / casesDecided, rounded to 2 decimals'),
  casesWithSupplement: count('Decided cases that had a supplement request'),
  supplementRate: nullableNumber('casesWithSupplement / casesDecided, rounded to 4 decimals'),
  overdueOpenCases: count(
    'Open cases now past a pending deadline (a running clock, or emergency formalities not completed) that fell in the period; for groupBy=month, grouped by the month of that deadline. A paused clock has no pending deadline.',
  ),
}

const slaFiguresSchema = z.object(figures)

export const slaReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: slaGroupBySchema,
    jurisdiction: z
      .string()
      .nullable()
      .meta({ description: "The jurisdiction counted: the key's own when it is scoped to one, else the `jurisdiction` filter; null: every jurisdiction" }),
    generatedAt: z.string().meta({ description: 'The instant the report was computed (overdue is relative to it)' }),
    groups: z.array(z.object({ group: z.string().meta({ description: 'Route, YYYY-MM, district, organization code, or jurisdiction code' }), ...figures })),
    totals: slaFiguresSchema,
    supervision: z
      .object({
        casesReachedYellow: count('Cases whose overall clock reached the yellow warning in the period (date the scheduler recorded it)'),
        casesReachedRed: count('Cases whose overall clock reached the red warning in the period'),
        casesReachedOverdue: count('Cases whose overall clock ran past its due date in the period'),
        casesWithStageOverrun: count('Cases with a stage that passed its own due date while the overall clock was within its limit'),
        stageOverruns: count('Stage overruns (a case may have several)'),
        casesWithStageYellow: count('Cases with a stage that reached its yellow warning'),
        casesWithStageRed: count('Cases with a stage that reached its red warning'),
      })
      .meta({ description: 'Electronic supervision in the period (in the CSV as `supervision` rows)' }),
    reasons: z
      .array(z.object({ action: z.string(), code: z.string(), listVersion: z.number().int(), cases: count('Cases given the code in the period') }))
      .meta({ description: 'Coded reasons given in the period, by action and code (in the CSV as `reason` rows)' }),
  })
  .meta({ id: 'SlaReport' })
