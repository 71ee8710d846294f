/**
 * The one shape of "what is wrong with this input, and where": a dotted path into the input
 * (`parameters.voltageTiers.1.min`, `holidays.3`, `approvedPeriod.to`) and a message a person can act on.
 * Rule-set validation, calendar validation, lifecycle payloads and the HTTP problem documents
 * (RFC 9457 `errors[]`) all report it in this form.
 */
import { z } from 'zod'

export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() })
export type FieldIssue = z.infer<typeof fieldIssueSchema>

/** The issues of a failed zod parse, paths joined with dots (`prefix` first when given). */
export function fieldIssuesOf(error: z.ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...(prefix === undefined ? [] : [prefix]), ...issue.path.map(String)].join('.'),
    message: issue.message,
  }))
}
