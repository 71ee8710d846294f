import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { checkWebhookUrlSyntax, refusedAddressReason, systemResolver, type HostResolver } from './webhook-url-policy.ts'

export interface WebhookRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface WebhookSendOptions {
  timeoutMs: number
  allowLinkLocal: boolean
  resolve?: HostResolver | undefined
}

/** What came back: an HTTP status (any), or no response at all (`statusCode` null, `error` says why). */
export interface WebhookResponse {
  statusCode: number | null
  error: string | null
}

const MAX_RESPONSE_SNIPPET_BYTES = 512

/**
 * The lookup the connection itself uses: the addresses are checked against the URL policy at the moment the
 * socket connects, so what was checked is what is connected to (a DNS answer changed after registration —
 * DNS rebinding — is caught here). Handles `all: true`, which Node asks for when it races IPv4 and IPv6
 * (autoSelectFamily, RFC 8305 "happy eyeballs").
 */
export function guardedLookup(resolve: HostResolver, allowLinkLocal: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined
        const addresses = family ? resolved.filter((entry) => entry.family === family) : resolved
        if (addresses.length === 0) {
          return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 0)
        }
        if (!allowLinkLocal) {
          for (const { address } of addresses) {
            const reason = refusedAddressReason(address)
            if (reason)
              return callback(Object.assign(new Error(`refused by the webhook URL policy: ${hostname} resolves to ${address}: ${reason}`), { code: 'EWEBHOOKREFUSED' }), '', 0)
          }
        }
        if (options.all) return (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, addresses)
        const first = addresses[0] as { address: string; family: number }
        return callback(null, first.address, first.family)
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    )
  }
}

/**
 * One POST with node:http(s): no redirect is followed (a 3xx is an answer like any other, and following it would
 * bypass the URL policy), no connection is reused (each attempt connects, and so re-checks, afresh), and the whole
 * exchange — connect, response, body — is bounded by `timeoutMs`. Never throws.
 */
export async function postWebhook(request: WebhookRequest, options: WebhookSendOptions): Promise<WebhookResponse> {
  const check = checkWebhookUrlSyntax(request.url, { allowLinkLocal: options.allowLinkLocal })
  if (!check.allowed) return { statusCode: null, error: `refused by the webhook URL policy: ${check.reason}` }
  const url = check.url
  const transport = url.protocol === 'https:' ? https : http
  const body = Buffer.from(request.body, 'utf8')

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
      lookup: guardedLookup(options.resolve ?? systemResolver, options.allowLinkLocal),
    })
    const timer = setTimeout(() => {
      req.destroy()
      finish({ statusCode: null, error: `no response within ${options.timeoutMs} ms` })
    }, options.timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ statusCode: null, error: error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message }),
    )
    req.on('response', (res) => {
      const statusCode = res.statusCode ?? 0
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_SNIPPET_BYTES) chunks.push(chunk)
        size += chunk.length
      })
      res.on('error', () => finish({ statusCode, error: 'the response was cut off' }))
      res.on('end', () => {
        if (statusCode >= 200 && statusCode < 300) return finish({ statusCode, error: null })
        const snippet = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim()
        const redirect = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : ''
        finish({ statusCode, error: `HTTP ${statusCode}${redirect}${snippet ? `: ${snippet}` : ''}` })
      })
    })
    req.end(body)
  })
}
