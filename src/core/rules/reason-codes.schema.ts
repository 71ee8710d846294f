/**
 * Coded reasons (docs/domain.md §6): versioned code lists, with labels in Chinese and English and the legal basis of
 * each code, for the reasons of not_accept, refuse, refuse_change and revoke_filing and for the items of a
 * supplement request. Rule-set data: a city writes its own lists; a transition's `reasonCodes` are checked against
 * the lists of the case's rule set (unknown code → 422 naming the path). Free text stays beside the codes.
 */
import { z } from 'zod'
import { legalBasisSchema } from './legal-basis.schema.ts'

/** One code, as a transition names it. */
export const reasonCodeValueSchema = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case code like "traffic_diversion_plan"')

const reasonCodeSchema = z.strictObject({
  code: reasonCodeValueSchema,
  zh: z.string().min(1),
  en: z.string().min(1),
  basis: legalBasisSchema,
})

/** The lists by the action (or supplement items) they serve. */
export const reasonCodeListKeys = ['notAccept', 'refuse', 'refuseChange', 'revokeFiling', 'supplementItems'] as const
export type ReasonCodeListKey = (typeof reasonCodeListKeys)[number]

export const reasonCodesSchema = z.strictObject({
  /** The version of the code lists; a report groups by code and says which version defined it. */
  version: z.number().int().positive(),
  notAccept: z.array(reasonCodeSchema),
  refuse: z.array(reasonCodeSchema),
  refuseChange: z.array(reasonCodeSchema),
  revokeFiling: z.array(reasonCodeSchema),
  supplementItems: z.array(reasonCodeSchema),
})
export type ReasonCodes = z.infer<typeof reasonCodesSchema>

/** The list an action's `reasonCodes` are checked against (request_supplement: its items' `code`). */
export const reasonCodeListOfAction: Readonly<Record<string, ReasonCodeListKey>> = {
  not_accept: 'notAccept',
  refuse: 'refuse',
  refuse_change: 'refuseChange',
  revoke_filing: 'revokeFiling',
  request_supplement: 'supplementItems',
}
