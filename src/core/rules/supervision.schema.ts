/**
 * Electronic supervision of a route's time limit (docs/domain.md §5): when the yellow and red warnings are given and
 * what happens when the time runs out. Rule-set data per route (routeTerms[].supervision); absent means the defaults
 * below, which are today's behaviour (overdue is flagged, never approved by default).
 *
 * Rounding: a level is reached on the first day on which workingDaysUsed × 100 ≥ percent × limitWorkingDays, i.e.
 * when ceil(percent × limit / 100) whole working days are used (today counted). With the 8-day joint review: yellow
 * (50 %) when 4 days are used, red (90 %: 7.2 → 8) on the due date itself; with 2 days: yellow after 1, red after 2.
 */
import { z } from 'zod'
import { legalBasisSchema } from './legal-basis.schema.ts'

const percentSchema = z.number().int().min(1).max(100)

export const supervisionTermsSchema = z
  .strictObject({
    /** Yellow card: share of the working days used, in whole percent (default 50). */
    yellowPercent: percentSchema,
    /** Red card (default 90); must be at least yellowPercent. */
    redPercent: percentSchema,
    /** The same for each joint-review stage; absent: the overall percentages. */
    stageYellowPercent: percentSchema.optional(),
    stageRedPercent: percentSchema.optional(),
    /**
     * `flag`: an overdue case is reported (case.overdue) and stays undecided. `deem_approved` (视为批准, some cities'
     * rule): the scheduler records a system decision case.deemed_approved citing `basis`, with the permit fields taken
     * from the application.
     */
    onTimeout: z.enum(['flag', 'deem_approved']),
    basis: legalBasisSchema,
  })
  .meta({
    description:
      'Warnings and timeout effect. A level is reached when workingDaysUsed × 100 ≥ percent × limitWorkingDays (ceil of the fraction of whole working days, today counted).',
  })
export type SupervisionTerms = z.infer<typeof supervisionTermsSchema>

/** What a route without `supervision` gets: yellow 50 %, red 90 %, flag (as before the setting existed). */
export const DEFAULT_SUPERVISION: SupervisionTerms = Object.freeze({
  yellowPercent: 50,
  redPercent: 90,
  onTimeout: 'flag',
  basis: Object.freeze({
    citation: '电子监察 (electronic supervision of committed time limits)',
    text: '承诺时限用时过半亮黄牌、用时达90%亮红牌；超时按超期督办处理，不视为批准。Yellow card at half of the committed time, red card at 90 %; overdue is reported, never approved by default.',
  }),
}) as SupervisionTerms

/** The working days that must be used before a level of `percent` is reached: ceil(percent × limit / 100), at least 1. */
export function thresholdWorkingDays(percent: number, limitWorkingDays: number): number {
  return Math.max(1, Math.ceil((percent * limitWorkingDays) / 100))
}
