import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { checkWebhookUrlSyntax, resolveAllowedAddresses, type UrlPolicyOptions } from './webhook-url-policy.ts'

export interface WebhookRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface WebhookSendOptions extends UrlPolicyOptions {
  timeoutMs: number
}

/**
 * Why an attempt failed, as the delivery log shows it to every role: a class and a status code, never anything
 * the target sent back (its body would make the service a way to read what an address answers) and never the
 * address a name resolved to.
 */
export const DELIVERY_ERROR_CLASSES = ['timeout', 'connection_refused', 'connection_reset', 'dns_error', 'tls_error', 'network_error', 'http_status', 'target_refused'] as const
export type DeliveryErrorClass = (typeof DELIVERY_ERROR_CLASSES)[number]

/** What came back: an HTTP status (any), or no response at all (`statusCode` null). */
export interface WebhookResponse {
  statusCode: number | null
  errorClass: DeliveryErrorClass | null
  /** A short text the service wrote (never the target's): "HTTP 500", "no response within 5000 ms", … */
  error: string | null
}

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH|ERR_CERT)/

/** The class and text of a socket error (the node error code is kept: it says nothing the class does not). */
function classifyError(error: NodeJS.ErrnoException): { errorClass: DeliveryErrorClass; error: string } {
  const code = error.code ?? ''
  if (code === 'EWEBHOOKREFUSED') return { errorClass: 'target_refused', error: error.message }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA') return { errorClass: 'dns_error', error: error.message }
  if (code === 'ECONNREFUSED') return { errorClass: 'connection_refused', error: 'connection refused (ECONNREFUSED)' }
  if (code === 'ECONNRESET' || code === 'EPIPE') return { errorClass: 'connection_reset', error: `connection reset (${code})` }
  if (code === 'ETIMEDOUT') return { errorClass: 'timeout', error: 'connection timed out (ETIMEDOUT)' }
  if (TLS_ERROR.test(code)) return { errorClass: 'tls_error', error: `TLS handshake failed (${code})` }
  return { errorClass: 'network_error', error: code ? `network error (${code})` : 'network error' }
}

/**
 * The lookup the connection itself uses: the policy resolves the name once, checks every address, and hands the
 * socket exactly those addresses — so the address checked is the address connected to (a DNS answer changed
 * after registration, DNS rebinding, is caught here, and no second resolution can swap it). Handles `all: true`,
 * which Node asks for when it races IPv4 and IPv6 (autoSelectFamily, RFC 8305 "happy eyeballs").
 */
export function guardedLookup(options: UrlPolicyOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveAllowedAddresses(hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, ''), options).then(
      (resolved) => {
        if (!resolved.allowed) {
          const code = resolved.code === 'target_refused' ? 'EWEBHOOKREFUSED' : 'ENOTFOUND'
          return callback(Object.assign(new Error(`refused by the webhook target policy: ${resolved.reason}`), { code }), '', 0)
        }
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined
        const addresses = family ? resolved.addresses.filter((entry) => entry.family === family) : resolved.addresses
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0)
        if (lookupOptions.all) return (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, addresses)
        const first = addresses[0] as { address: string; family: number }
        return callback(null, first.address, first.family)
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    )
  }
}

/**
 * One POST with node:http(s): no redirect is followed (a 3xx is an answer like any other, and following it would
 * bypass the target policy), no connection is reused (each attempt connects, and so re-checks, afresh), and the
 * whole exchange — connect, response, body — is bounded by `timeoutMs`. The response body is read and discarded
 * (at most what arrives within the time limit). Never throws.
 */
export async function postWebhook(request: WebhookRequest, options: WebhookSendOptions): Promise<WebhookResponse> {
  const check = checkWebhookUrlSyntax(request.url, options)
  if (!check.allowed) return { statusCode: null, errorClass: 'target_refused', error: `refused by the webhook target policy: ${check.reason}` }
  const url = check.url
  const transport = url.protocol === 'https:' ? https : http
  const body = Buffer.from(request.body, 'utf8')
  // A literal IP host was checked just now by checkWebhookUrlSyntax (node connects to it without a lookup).

  return await new Promise<WebhookResponse>((resolve) => {
    let settled = false
    const finish = (result: WebhookResponse) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const req = transport.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(body.length) },
      agent: false,
      lookup: guardedLookup(options),
    })
    const timer = setTimeout(() => {
      req.destroy()
      finish({ statusCode: null, errorClass: 'timeout', error: `no response within ${options.timeoutMs} ms` })
    }, options.timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) => finish({ statusCode: null, ...classifyError(error) }))
    req.on('response', (res) => {
      const statusCode = res.statusCode ?? 0
      res.resume()
      res.on('error', () => finish({ statusCode, errorClass: 'connection_reset', error: `HTTP ${statusCode}, then the response was cut off` }))
      res.on('end', () => {
        if (statusCode >= 200 && statusCode < 300) return finish({ statusCode, errorClass: null, error: null })
        const redirect = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : ''
        finish({ statusCode, errorClass: 'http_status', error: `HTTP ${statusCode}${redirect}` })
      })
    })
    req.end(body)
  })
}
