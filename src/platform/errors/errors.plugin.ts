import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify'
import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { BadRequestError, DomainError, PROBLEM_TYPE_BASE, type FieldIssue } from './domain-errors.ts'
import { jsonSyntaxPosition } from './json-syntax-position.ts'
import { markLocalized } from '../i18n/locale.plugin.ts'
import { issueMessage } from './issue-messages.ts'
import { problemText, type ProblemParams } from './problem-catalogue.ts'

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
function isDatabaseUnavailable(error: unknown): boolean {
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
function isUnstorableText(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (code === '22021' || code === '22P05') return true
  return code === '22P02' && typeof message === 'string' && /type json/.test(message)
}

/** A detail's catalogue template and the params that fill it in another language (problem-catalogue.ts). */
interface DetailParams {
  template: string
  params?: ProblemParams
}

function problem(request: FastifyRequest, status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}, localized?: DetailParams): Problem {
  // The title and detail in the caller's language; code, type and every other member stay as they are.
  const text = problemText(request.locale, code, { title, detail }, localized?.params, localized?.template)
  // Extensions first: they may add members but never replace the RFC 9457 ones.
  return {
    ...extra,
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: text.title,
    status,
    detail: text.detail,
    code,
    requestId: request.id,
    instance: request.url,
  }
}

function sendProblem(reply: FastifyReply, body: Problem, headers: Record<string, string> = {}) {
  // Bypass the route's response serializer: problem documents have their own shape.
  return markLocalized(reply, reply.request.locale)
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

/**
 * Errors node's HTTP parser raises on a socket before there is a request — the request or header timeout
 * (ERR_HTTP_REQUEST_TIMEOUT: a body or headers trickled too slowly), headers too large, unparseable HTTP — are
 * answered as problem+json too (fastify's `clientErrorHandler`), then the socket is closed.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, title, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'Request timeout', 'The request (headers and body) did not arrive within the time limit; the connection is closed.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'Request header fields too large', 'The request headers are larger than the server accepts.']
        : [400, 'bad_request', 'Bad request', 'The request is not valid HTTP/1.1.']
  const requestId = randomUUID()
  this.log.info({ err: error, requestId }, 'client error: %s', code)
  if (socket.writable) {
    const body = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${code}`, title, status, detail, code, requestId })
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/**
 * Services and the core name a field relative to the request body (`organization`, `parameters.routeOrder`):
 * they do not know HTTP. At the boundary every issue gets the location prefix the schema errors carry
 * (`body.organization`), so a client reads one path format whichever layer found the problem.
 */
const LOCATED_PATH = /^(body|query|path|header)(\.|$)/
function locatedExtensions(extensions: Record<string, unknown>, locale: FastifyRequest['locale']): Record<string, unknown> {
  const errors = extensions.errors
  if (!Array.isArray(errors)) return extensions
  return {
    ...extensions,
    errors: errors.map((issue: { path: string; message: string }) => ({
      ...issue,
      path: LOCATED_PATH.test(issue.path) ? issue.path : issue.path === '' ? 'body' : `body.${issue.path}`,
      message: issueMessage(locale, issue.message),
    })),
  }
}

const contextNames: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' }
const PART_ZH: Record<string, string> = { body: '体', query: '的查询参数', path: '的路径参数', header: '头' }

/** The request part a validation context refers to, as fastify parsed it (before the schema saw it). */
function validatedInput(request: FastifyRequest, context: string | undefined): unknown {
  if (context === 'querystring') return request.query
  if (context === 'params') return request.params
  if (context === 'headers') return request.headers
  return request.body
}

/** True when `path` names a member that the input does not have (the member itself or the whole input is absent). */
function isAbsent(input: unknown, path: string[]): boolean {
  let value: unknown = input
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return true
    value = (value as Record<string, unknown>)[segment]
  }
  return value === undefined
}

/** The input's value at `path` (zod's issues do not carry it; the zh-CN locale names the type received). */
function valueAt(input: unknown, path: string[]): unknown {
  let value: unknown = input
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined
    value = (value as Record<string, unknown>)[segment]
  }
  return value
}

/**
 * One `{ path, message }` per field, at the field's own path. zod reports a missing member as a type error
 * ("expected string, received undefined") and every unknown member of a strict object as one issue at the
 * object's path listing all their names; a client acts on "required" and on the name of the field to drop.
 * A `custom` issue is a rule's own message (e.g. "required when …") and is kept.
 */
function fieldIssues(request: FastifyRequest, context: string | undefined, validation: FastifySchemaValidationError[]): FieldIssue[] {
  const prefix = contextNames[context ?? 'body'] ?? 'body'
  const input = validatedInput(request, context)
  const { locale } = request
  const localized = (issues: FieldIssue[], raw?: { code: string; params: Record<string, unknown>; path: string[] }): FieldIssue[] =>
    locale === 'en' ? issues : issues.map((issue) => ({ ...issue, message: issueMessage(locale, issue.message, raw && { ...raw, input: valueAt(input, raw.path) }) }))
  const unknownWhat = prefix === 'body' ? 'field' : prefix === 'header' ? 'header' : 'parameter'
  return validation.flatMap((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean)
    const at = (segments: string[]) => [prefix, ...segments].join('.')
    const keys = (issue.params as { keys?: unknown }).keys
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
      return localized(keys.map((key) => ({ path: at([...path, String(key)]), message: `unknown ${unknownWhat} \`${String(key)}\`` })))
    }
    if (issue.keyword !== 'custom' && isAbsent(input, path)) {
      return localized([{ path: at(path), message: path.length === 0 ? `required: send a JSON ${prefix === 'body' ? 'body' : prefix}` : 'required' }])
    }
    return localized([{ path: at(path), message: issue.message ?? 'invalid' }], { code: issue.keyword, params: issue.params as Record<string, unknown>, path })
  })
}

/**
 * The JSON body parser is fastify's own (with its prototype-poisoning protection); a failure is re-examined
 * so the answer says where the text breaks: line, column and what was found there.
 */
function malformedJson(body: string): DomainError {
  const position = jsonSyntaxPosition(body)
  if (!position) {
    return new BadRequestError('The body is valid JSON but has a `__proto__` or `constructor.prototype` member, which is refused.', [], 'malformed_json').withParams('prototype')
  }
  const found = position.found === null ? 'the text ends early' : `unexpected ${JSON.stringify(position.found)}`
  return new BadRequestError(
    `The body is not valid JSON: ${found} at line ${position.line}, column ${position.column} (character ${position.offset + 1} of ${body.length}).`,
    [],
    'malformed_json',
  ).withParams(position.found === null ? 'ends_early' : 'position', {
    line: position.line,
    column: position.column,
    offset: position.offset + 1,
    length: body.length,
  })
}

const HTTP_METHODS_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * The route table by URL pattern, so a known path asked with another method is answered 405 with the
 * methods it has in `Allow` (RFC 9110 §15.5.6) instead of 404. Patterns are fastify's: `:name` is one path
 * segment, `*` the rest.
 */
class RouteTable {
  private readonly routes = new Map<string, { pattern: RegExp; methods: Set<string> }>()

  add(url: string, methods: string | string[]) {
    let entry = this.routes.get(url)
    if (!entry) {
      const source = url
        .split(/(:[A-Za-z0-9_]+|\*)/)
        .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('')
      entry = { pattern: new RegExp(`^${source}/?$`), methods: new Set() }
      this.routes.set(url, entry)
    }
    for (const method of [methods].flat()) entry.methods.add(method.toUpperCase())
    if (entry.methods.has('GET')) entry.methods.add('HEAD')
  }

  /** The methods some route answers on this path, in a fixed order (empty when the path is unknown). */
  methodsFor(path: string): string[] {
    const methods = new Set<string>()
    for (const { pattern, methods: own } of this.routes.values()) if (pattern.test(path)) for (const method of own) methods.add(method)
    return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  }
}
const rank = (method: string) => (HTTP_METHODS_ORDER.includes(method) ? HTTP_METHODS_ORDER.indexOf(method) : HTTP_METHODS_ORDER.length)

async function errorsPlugin(app: FastifyInstance) {
  const routes = new RouteTable()
  app.addHook('onRoute', (route) => routes.add(route.url, route.method))

  const defaultJsonParser = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = typeof raw === 'string' ? raw : raw.toString('utf8')
    defaultJsonParser(request, body, (error, value) => {
      if (error && (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY') done(malformedJson(body), undefined)
      else done(error, value)
    })
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.status >= 500) request.log.warn({ err: error }, 'request failed: %s', error.code)
      return sendProblem(
        reply,
        problem(request, error.status, error.code, error.title, error.message, locatedExtensions(error.extensions, request.locale), {
          template: error.template ?? '',
          params: error.params,
        }),
        error.headers,
      )
    }

    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = contextNames[error.validationContext ?? 'body'] ?? 'body'
      const errors = fieldIssues(request, error.validationContext, error.validation)
      return sendProblem(
        reply,
        problem(
          request,
          400,
          'validation_failed',
          'The request is not valid',
          `The ${context} has ${errors.length} invalid field(s): ${errors.map((e) => e.path).join(', ')}.`,
          { errors },
          { template: 'schema', params: { part: PART_ZH[context] ?? context, count: errors.length, paths: errors.map((e) => e.path).join('、') } },
        ),
      )
    }

    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return sendProblem(reply, problem(request, 400, 'malformed_json', 'Malformed JSON', `The body is not valid JSON: ${error.message}`))
    }
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return sendProblem(reply, problem(request, 400, 'empty_body', 'Empty body', 'The request declares a JSON body but sends none.'))
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limitBytes = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit
      return sendProblem(
        reply,
        problem(
          request,
          413,
          'body_too_large',
          'Body too large',
          `The body is larger than the limit of ${limitBytes} bytes; nothing was read further.`,
          { limitBytes },
          { template: 'limit', params: { limitBytes } },
        ),
        // The rest of the body is not read: close the connection rather than leave it in an unknown state (RFC 9110 §15.5.14).
        { connection: 'close' },
      )
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(
        reply,
        problem(
          request,
          415,
          'unsupported_media_type',
          'Unsupported media type',
          `Send the body as application/json (got ${request.headers['content-type'] ?? 'none'}).`,
          {},
          { template: 'got', params: { contentType: request.headers['content-type'] ?? 'none' } },
        ),
      )
    }

    if (isUnstorableText(error)) {
      return sendProblem(
        reply,
        problem(
          request,
          400,
          'unsupported_character',
          'Bad request',
          'A text value contains a character that cannot be stored: U+0000 (NUL) or an unpaired UTF-16 surrogate. Nothing was changed.',
        ),
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
      return sendProblem(reply, problem(request, 503, 'database_timeout', 'Service unavailable', 'The database took too long to answer; nothing was changed. Retry shortly.'), {
        'retry-after': '2',
      })
    }

    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
      return sendProblem(reply, problem(request, status, (error.code ?? 'client_error').toLowerCase(), 'Bad request', error.message))
    }

    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(reply, problem(request, 500, 'internal_error', 'Internal server error', 'An unexpected error occurred. Quote the requestId when reporting it.'))
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] as string
    const allowed = routes.methodsFor(path)
    if (allowed.length > 0) {
      return sendProblem(
        reply,
        problem(
          request,
          405,
          'method_not_allowed',
          'Method not allowed',
          `${request.method} is not allowed on ${path}; it answers ${allowed.join(', ')}. See /docs for the API.`,
          {
            allowedMethods: allowed,
          },
          { template: 'allowed', params: { method: request.method, path, allowed: allowed.join(', ') } },
        ),
        { allow: allowed.join(', ') },
      )
    }
    return sendProblem(
      reply,
      problem(
        request,
        404,
        'route_not_found',
        'Not found',
        `No route ${request.method} ${path}. See /docs for the API.`,
        {},
        { template: 'route', params: { method: request.method, path } },
      ),
    )
  })
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' })
