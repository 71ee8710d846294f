/**
 * The API client, typed by the types openapi-typescript generates from openapi/openapi.json at build time
 * (scripts/build-console.ts → api/schema.gen.ts, not committed): when the API drifts, the console stops compiling.
 * Every request carries the signed-in key (Authorization: Bearer) and the console's language (Accept-Language).
 */
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema.gen.ts'
import { session } from '../lib/session.ts'

export type Schemas = components['schemas']

let language = 'zh-CN'
export function setApiLanguage(locale: string): void {
  language = locale
}

const authAndLanguage: Middleware = {
  onRequest({ request }) {
    const key = session.apiKey()
    if (key && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${key}`)
    request.headers.set('Accept-Language', language)
    return request
  },
}

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' })
api.use(authAndLanguage)

/** One field's problem, as every validation problem of the API lists them (RFC 9457 extension `issues`). */
export interface FieldIssue {
  path: string
  message: string
}

/** An RFC 9457 problem answer, thrown by `unwrap` so screens show its title, detail and field issues. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly code: string | undefined,
    readonly issues: FieldIssue[],
    readonly body: unknown,
  ) {
    super(detail ?? title)
  }
}

interface ProblemBody {
  title?: string
  detail?: string
  code?: string
  issues?: FieldIssue[]
  /** The API's name for the field issues (README: `errors: [{ path, message }]`). */
  errors?: FieldIssue[]
}

/** The data of a successful answer, or an ApiProblem (network failures become status 0). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await call
  } catch (cause) {
    throw new ApiProblem(0, 'network', undefined, 'network', [], cause)
  }
  if (result.response.ok) return result.data as T
  const problem = (typeof result.error === 'object' && result.error !== null ? result.error : {}) as ProblemBody
  throw new ApiProblem(result.response.status, problem.title ?? result.response.statusText, problem.detail, problem.code, problem.issues ?? problem.errors ?? [], result.error)
}
