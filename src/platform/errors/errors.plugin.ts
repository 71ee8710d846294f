import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { DomainError, PROBLEM_TYPE_BASE, type FieldIssue } from './domain-errors.ts'

/**
 * The single error boundary: every error leaves as application/problem+json (RFC 9457) with
 * `type`, `title`, `status`, `detail`, the stable `code`, the `requestId`, and `errors[]` for validation.
 */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  requestId: string
  instance?: string
  errors?: FieldIssue[]
  [extension: string]: unknown
}

const PG_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006'])
const NODE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'])

/** True for errors that mean "the database is not reachable right now", as opposed to a bug or bad input. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (PG_UNAVAILABLE_CODES.has(code) || NODE_NETWORK_CODES.has(code))) return true
  if (typeof message === 'string') {
    return /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|connect ECONNREFUSED|Client has encountered a connection error/i.test(
      message,
    )
  }
  return false
}

/**
 * Text PostgreSQL cannot store, which can only have come from the caller: U+0000 (NUL) in a text or jsonb
 * value (22021, 22P05), an unpaired UTF-16 surrogate ("\ud800") in a jsonb value (22P02 on type json).
 * The statement fails before anything is written (and its transaction rolls back).
 */
export function isUnstorableText(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (code === '22021' || code === '22P05') return true
  return code === '22P02' && typeof message === 'string' && /type json/.test(message)
}

function problem(request: FastifyRequest, status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  // Extensions first: they may add members but never replace the RFC 9457 ones.
  return {
    ...extra,
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    detail,
    code,
    requestId: request.id,
    instance: request.url,
  }
}

function sendProblem(reply: FastifyReply, body: Problem, headers: Record<string, string> = {}) {
  // Bypass the route's response serializer: problem documents have their own shape.
  return reply
    .status(body.status)
    .headers(headers)
    .type('application/problem+json; charset=utf-8')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(body)
}

/**
 * Errors fastify raises before routing — a malformed percent-encoding in the path (FST_ERR_BAD_URL), a path
 * parameter longer than maxParamLength (FST_ERR_MAX_PARAM_LENGTH) — bypass the error handler and the hooks.
 * Given to fastify's `frameworkErrors` option, they leave as problem+json with a request-id like every other
 * answer instead of fastify's bare JSON.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('request-id', request.id)
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendProblem(reply, problem(request, 400, 'bad_url', 'Bad request', 'The path is not a valid URL: check its percent-encoding.'))
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(reply, problem(request, 414, 'uri_too_long', 'URI too long', 'A path parameter is longer than any valid value.'))
  }
  request.log.error({ err: error }, 'framework error')
  return sendProblem(reply, problem(request, 500, 'internal_error', 'Internal server error', 'An unexpected error occurred. Quote the requestId when reporting it.'))
}

const contextNames: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' }

async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.status >= 500) request.log.warn({ err: error }, 'request failed: %s', error.code)
      return sendProblem(reply, problem(request, error.status, error.code, error.title, error.message, error.extensions), error.headers)
    }

    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = contextNames[error.validationContext ?? 'body'] ?? 'body'
      const errors = error.validation.map((issue) => ({
        path: [context, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
        message: issue.message,
      }))
      return sendProblem(
        reply,
        problem(request, 400, 'validation_failed', 'The request is not valid', `The ${context} has ${errors.length} invalid field(s): ${errors.map((e) => e.path).join(', ')}.`, { errors }),
      )
    }

    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return sendProblem(reply, problem(request, 400, 'malformed_json', 'Malformed JSON', `The body is not valid JSON: ${error.message}`))
    }
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return sendProblem(reply, problem(request, 400, 'empty_body', 'Empty body', 'The request declares a JSON body but sends none.'))
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(reply, problem(request, 413, 'body_too_large', 'Body too large', error.message))
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(
        reply,
        problem(request, 415, 'unsupported_media_type', 'Unsupported media type', `Send the body as application/json (got ${request.headers['content-type'] ?? 'none'}).`),
      )
    }

    if (isUnstorableText(error)) {
      return sendProblem(
        reply,
        problem(request, 400, 'unsupported_character', 'Bad request', 'A text value contains a character that cannot be stored: U+0000 (NUL) or an unpaired UTF-16 surrogate. Nothing was changed.'),
      )
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, 'database unavailable')
      return sendProblem(
        reply,
        problem(request, 503, 'database_unavailable', 'Service unavailable', 'The database is not reachable right now; nothing was changed. Retry after the indicated delay.'),
        { 'retry-after': '2' },
      )
    }
    if ((error as { code?: string }).code === '57014') {
      request.log.error({ err: error }, 'statement timeout')
      return sendProblem(reply, problem(request, 503, 'database_timeout', 'Service unavailable', 'The database took too long to answer; nothing was changed. Retry shortly.'), { 'retry-after': '2' })
    }

    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
      return sendProblem(reply, problem(request, status, (error.code ?? 'client_error').toLowerCase(), 'Bad request', error.message))
    }

    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(reply, problem(request, 500, 'internal_error', 'Internal server error', 'An unexpected error occurred. Quote the requestId when reporting it.'))
  })

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(request, 404, 'route_not_found', 'Not found', `No route ${request.method} ${request.url.split('?')[0]}. See /docs for the API.`)),
  )
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' })
