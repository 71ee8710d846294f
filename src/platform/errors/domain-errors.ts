/**
 * Typed domain errors with stable codes. The error boundary (errors.plugin.ts) turns each into an
 * RFC 9457 problem document; `code` is the contract clients may switch on, `detail` is for people.
 */
import type { FieldIssue } from '../../core/validation/field-issue.ts'
import type { ProblemCode, ProblemParams } from './problem-catalogue.ts'

export type { FieldIssue }

export const PROBLEM_TYPE_BASE = 'https://green-channel.example/problems/'

export class DomainError extends Error {
  override name = 'DomainError'
  /** The structured facts of the detail, for its rendering in another language (problem-catalogue.ts). */
  params: ProblemParams = {}
  /** The catalogue template of the code the params fill; none: the code's own detail. */
  template: string | undefined
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }

  /** Names the catalogue template of this code and the params that fill it; returns the error, to throw. */
  withParams(template: string, params: ProblemParams = {}): this {
    this.template = template
    this.params = params
    return this
  }
}

/**
 * A request a rule refuses, with the fields at fault. `validation_failed` is always 400, whether the schema
 * or a service found the fault, so a client handles it one way. A named code (`invalid_rule_set`,
 * `invalid_calendar`, `invalid_action_payload`, `webhook_url_refused`, `commitment_required`, …) marks content
 * that is well-formed but cannot be processed as it stands, and is 422 (RFC 9110 §15.5.21).
 */
export class ValidationFailedError extends DomainError {
  constructor(
    detail: string,
    readonly errors: FieldIssue[],
    code: ProblemCode = 'validation_failed',
  ) {
    super(code === 'validation_failed' ? 400 : 422, code, 'The request is not valid', detail, { errors })
  }
}

export class BadRequestError extends DomainError {
  constructor(detail: string, errors: FieldIssue[] = [], code: ProblemCode = 'bad_request') {
    super(400, code, 'Bad request', detail, errors.length > 0 ? { errors } : {})
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail: string) {
    // Refused before the body is read: the connection is closed after the answer, so an unauthenticated client
    // cannot keep the socket busy with the rest of a (large or trickled) body.
    super(401, 'unauthorized', 'Authentication required', detail, {}, { 'www-authenticate': 'Bearer', connection: 'close' })
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Not allowed for this API key', detail)
  }
}

export class NotFoundError extends DomainError {
  constructor(detail: string, code: ProblemCode = 'not_found') {
    super(404, code, 'Not found', detail)
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, code: ProblemCode = 'conflict', extensions: Record<string, unknown> = {}) {
    super(409, code, 'Conflict', detail, extensions)
  }
}

export class PreconditionRequiredError extends DomainError {
  constructor(detail: string) {
    super(428, 'precondition_required', 'Precondition required', detail)
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(detail: string, currentVersion: number) {
    super(412, 'precondition_failed', 'Precondition failed', detail, { currentVersion }, { etag: `"${currentVersion}"` })
  }
}

/** 429 with Retry-After in whole seconds (RFC 6585 §4, RFC 9110 §10.2.3). */
export class TooManyRequestsError extends DomainError {
  constructor(detail: string, retryAfterSeconds: number, extensions: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds))
    super(429, 'rate_limited', 'Too many requests', detail, { ...extensions, retryAfterSeconds: seconds }, { ...headers, 'retry-after': String(seconds) })
  }
}

/** 503 while the instance shuts down: the client retries, normally reaching another instance (RFC 9110 §15.6.4). */
export class ShuttingDownError extends DomainError {
  constructor() {
    super(
      503,
      'shutting_down',
      'Service unavailable',
      'This instance is shutting down; nothing was done. Retry: another instance will answer.',
      {},
      { 'retry-after': '1', connection: 'close' },
    )
  }
}
