/**
 * The body of `POST /v1/cases/{id}/transitions`: `{ action, ...payload }`, one strict object per action
 * (a misspelt key is an error, not silently dropped). Strings are trimmed and bounded; dates are real
 * 'YYYY-MM-DD' dates in the supported range and lengths exact metres (the shared schemas of
 * date.schema.ts and quantity.schema.ts).
 */
import { z } from 'zod'
import { longText, shortText } from '../validation/text.schema.ts'

import { periodSchema } from '../calendar/date.schema.ts'
import { MAX_EXCAVATION_LENGTH_METRES, MAX_EXCAVATION_WIDTH_METRES, metresSchema } from '../rules/quantity.schema.ts'
import { keySchema } from '../rules/rule-set.schema.ts'
import { reasonCodeValueSchema } from '../rules/reason-codes.schema.ts'
import type { Action } from './lifecycle.types.ts'

const textList = (maxItems: number, maxLength: number) => z.array(shortText(maxLength)).max(maxItems, `must have at most ${maxItems} entries`)

/** Length and optional width in metres (at most two decimals, like the application), or a description. */
const approvedAreaSchema = z.union([
  z.strictObject({ lengthMeters: metresSchema(MAX_EXCAVATION_LENGTH_METRES), widthMeters: metresSchema(MAX_EXCAVATION_WIDTH_METRES).optional() }),
  shortText(500),
])

const approverSchema = z.strictObject({ name: shortText(100), title: shortText(100) })

const reasons = z.array(longText(2000)).min(1, 'give at least one reason').max(50, 'must have at most 50 reasons')

/** Codes of the case's rule-set code list for the action (checked against it by the service); free text stays required. */
const reasonCodes = z
  .array(reasonCodeValueSchema)
  .max(20, 'must have at most 20 codes')
  .refine((codes) => new Set(codes).size === codes.length, 'must not repeat a code')
  .optional()
  .meta({ description: "Codes of the rule set's list for this action (GET /v1/rule-sets/{id}: parameters.reasonCodes)" })

const acceptRequestSchema = z.strictObject({
  action: z.literal('accept'),
  note: longText(2000).optional(),
})

const notAcceptRequestSchema = z.strictObject({
  action: z.literal('not_accept'),
  /** 不予受理 must state its reason. */
  reason: longText(2000),
  reasonCodes,
})

const requestSupplementRequestSchema = z.strictObject({
  action: z.literal('request_supplement'),
  /** The complete list of what is missing: 行政许可法 art. 32 allows one request per acceptance round. */
  items: z
    .array(z.strictObject({ item: shortText(200), detail: longText(2000).optional(), code: reasonCodeValueSchema.optional() }))
    .min(1, 'list every missing item (at least one)')
    .max(100, 'must have at most 100 items'),
  note: longText(2000).optional(),
})

const submitSupplementRequestSchema = z
  .strictObject({
    action: z.literal('submit_supplement'),
    answers: z
      .array(z.strictObject({ item: shortText(200), answer: longText(5000) }))
      .max(100)
      .optional(),
    /** References of the documents supplied (file names, document numbers). */
    documents: textList(100, 500).optional(),
    note: longText(5000).optional(),
  })
  .refine((b) => (b.answers?.length ?? 0) > 0 || (b.documents?.length ?? 0) > 0 || b.note !== undefined, {
    path: ['answers'],
    message: 'give answers, documents or a note',
  })

const recordOpinionRequestSchema = z
  .strictObject({
    action: z.literal('record_opinion'),
    department: shortText(200),
    opinion: z.enum(['agree', 'agree_with_conditions', 'object']),
    comments: longText(5000).optional(),
    conditions: textList(50, 1000).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.opinion === 'agree_with_conditions' && (b.conditions?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'an agreement with conditions must list them' })
    }
    if (b.opinion === 'object' && b.comments === undefined) {
      ctx.addIssue({ code: 'custom', path: ['comments'], message: 'an objection must say why' })
    }
  })

const completeStageRequestSchema = z.strictObject({
  action: z.literal('complete_stage'),
  /** Must be the current stage: guards against completing the wrong one. Any stage key of a rule set fits. */
  stage: keySchema,
  summary: longText(5000).optional(),
})

const approveRequestSchema = z.strictObject({
  action: z.literal('approve'),
  approvedPosition: shortText(1000),
  approvedArea: approvedAreaSchema,
  approvedPeriod: periodSchema,
  conditions: textList(50, 1000).optional(),
  /** Defaults to the approving authority of the route; required when the route names none. */
  authority: shortText(200).optional(),
  /** The person who signed the decision. */
  approvedBy: shortText(100).optional(),
  /** The permit or decision number. */
  reference: shortText(100).optional(),
})

const refuseRequestSchema = z.strictObject({
  action: z.literal('refuse'),
  reasons,
  reasonCodes,
  authority: shortText(200).optional(),
  reference: shortText(100).optional(),
})

const withdrawRequestSchema = z.strictObject({
  action: z.literal('withdraw'),
  reason: longText(2000).optional(),
})

const startWorksRequestSchema = z.strictObject({
  action: z.literal('start_works'),
  note: longText(2000).optional(),
})

const completeWorksRequestSchema = z.strictObject({
  action: z.literal('complete_works'),
  note: longText(2000).optional(),
})

const inspectReinstatementRequestSchema = z
  .strictObject({
    action: z.literal('inspect_reinstatement'),
    passed: z.boolean(),
    inspector: shortText(100),
    notes: longText(5000).optional(),
  })
  .refine((b) => b.passed || b.notes !== undefined, { path: ['notes'], message: 'a failed inspection must say what is wrong' })

const closeRequestSchema = z.strictObject({
  action: z.literal('close'),
  note: longText(2000).optional(),
})

const revokeFilingRequestSchema = z.strictObject({
  action: z.literal('revoke_filing'),
  reason: longText(2000),
  reasonCodes,
})

const completeFormalitiesRequestSchema = z.strictObject({
  action: z.literal('complete_formalities'),
  /** The approval obtained after the emergency dig (permit number). */
  permitReference: shortText(100),
  documents: textList(100, 500).optional(),
  note: longText(2000).optional(),
})

const requestChangeRequestSchema = z
  .strictObject({
    action: z.literal('request_change'),
    kind: z.enum(['move', 'enlarge', 'extend']),
    description: longText(2000),
    requestedPosition: shortText(1000).optional(),
    requestedArea: approvedAreaSchema.optional(),
    requestedPeriod: periodSchema.optional(),
  })
  .superRefine((b, ctx) => {
    const needed = { move: 'requestedPosition', enlarge: 'requestedArea', extend: 'requestedPeriod' } as const
    const field = needed[b.kind]
    if (b[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `a change of kind "${b.kind}" must give ${field}` })
  })

const approveChangeRequestSchema = z.strictObject({
  action: z.literal('approve_change'),
  note: longText(2000).optional(),
  conditions: textList(50, 1000).optional(),
})

const refuseChangeRequestSchema = z.strictObject({
  action: z.literal('refuse_change'),
  reasons,
  reasonCodes,
})

const extendTimeLimitRequestSchema = z.strictObject({
  action: z.literal('extend_time_limit'),
  /** 行政许可法 art. 42: approved by the head of the authority ... */
  approver: approverSchema,
  /** ... and the reason told to the applicant. */
  reason: longText(2000),
})

export const transitionRequestSchemas = {
  accept: acceptRequestSchema,
  not_accept: notAcceptRequestSchema,
  request_supplement: requestSupplementRequestSchema,
  submit_supplement: submitSupplementRequestSchema,
  record_opinion: recordOpinionRequestSchema,
  complete_stage: completeStageRequestSchema,
  approve: approveRequestSchema,
  refuse: refuseRequestSchema,
  withdraw: withdrawRequestSchema,
  start_works: startWorksRequestSchema,
  complete_works: completeWorksRequestSchema,
  inspect_reinstatement: inspectReinstatementRequestSchema,
  close: closeRequestSchema,
  revoke_filing: revokeFilingRequestSchema,
  complete_formalities: completeFormalitiesRequestSchema,
  request_change: requestChangeRequestSchema,
  approve_change: approveChangeRequestSchema,
  refuse_change: refuseChangeRequestSchema,
  extend_time_limit: extendTimeLimitRequestSchema,
} as const satisfies Record<Action, z.ZodType>

export const transitionRequestSchema = z
  .discriminatedUnion('action', [
    acceptRequestSchema,
    notAcceptRequestSchema,
    requestSupplementRequestSchema,
    submitSupplementRequestSchema,
    recordOpinionRequestSchema,
    completeStageRequestSchema,
    approveRequestSchema,
    refuseRequestSchema,
    withdrawRequestSchema,
    startWorksRequestSchema,
    completeWorksRequestSchema,
    inspectReinstatementRequestSchema,
    closeRequestSchema,
    revokeFilingRequestSchema,
    completeFormalitiesRequestSchema,
    requestChangeRequestSchema,
    approveChangeRequestSchema,
    refuseChangeRequestSchema,
    extendTimeLimitRequestSchema,
  ])
  .meta({ id: 'TransitionRequest', description: 'An action on a case and its payload' })

export type TransitionRequest = z.infer<typeof transitionRequestSchema>
/** The parsed body of one action, without `action`. */
export type TransitionPayload<A extends Action> = Omit<Extract<TransitionRequest, { action: A }>, 'action'>
