import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'

/**
 * Where the service is willing to send webhooks. A webhook URL is a request the service makes on a caller's
 * behalf, so without a policy it is a server-side request forgery tool (OWASP SSRF Prevention Cheat Sheet).
 * Refused unless WEBHOOK_ALLOW_LINK_LOCAL: link-local networks (169.254.0.0/16, RFC 3927; fe80::/10, RFC 4291)
 * and the cloud instance-metadata services that live there or nearby (169.254.169.254 on AWS/GCP/Azure/OCI,
 * fd00:ec2::254 on AWS over IPv6, metadata.google.internal, 100.100.100.200 on Alibaba Cloud), which hand out
 * credentials to whoever asks from inside the instance. Loopback and private networks stay allowed: the
 * power company's dispatch systems sit on intranets, and local receivers (tests, development) use 127.0.0.1.
 *
 * The literal host is checked, and so is every address its name resolves to — at registration and again at
 * each delivery, where the check runs inside the connection's own lookup (webhook-http-client.ts), so a name
 * that resolved harmlessly at registration cannot be rebound to a metadata address later (DNS rebinding).
 */
export interface ResolvedAddress {
  address: string
  family: number
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>

/** The operating system's resolver (getaddrinfo, as connections use it): every address, in its order. */
export const systemResolver: HostResolver = async (hostname) => await dns.lookup(hostname, { all: true, verbatim: true })

export interface UrlPolicyOptions {
  allowLinkLocal: boolean
  resolve?: HostResolver
}

export type UrlCheck = { allowed: true; url: URL } | { allowed: false; reason: string }

const METADATA_HOSTNAMES = new Set(['metadata.google.internal'])
const METADATA_ADDRESSES = new Set(['169.254.169.254', '100.100.100.200', 'fd00:ec2:0:0:0:0:0:254'])

function ipv4Octets(address: string): number[] | null {
  const parts = address.split('.')
  if (parts.length !== 4) return null
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN))
  return octets.every((octet) => octet >= 0 && octet <= 255) ? octets : null
}

/** Eight 16-bit groups of an IPv6 address (zone index dropped, "::" expanded, a dotted IPv4 tail converted). */
export function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '')
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)
  if (tail) {
    const octets = ipv4Octets(tail[1] as string)
    if (!octets) return null
    const [a, b, c, d] = octets as [number, number, number, number]
    text = `${text.slice(0, -(tail[1] as string).length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const parse = (half: string) => (half === '' ? [] : half.split(':').map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : NaN)))
  const head = parse(halves[0] as string)
  const rest = halves.length === 2 ? parse(halves[1] as string) : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest]
  return groups.every((group) => Number.isInteger(group)) ? groups : null
}

function refusedIpv4(octets: number[]): string | null {
  const text = octets.join('.')
  if (METADATA_ADDRESSES.has(text)) return `${text} is a cloud metadata address`
  if (octets[0] === 169 && octets[1] === 254) return `${text} is link-local (169.254.0.0/16)`
  return null
}

/** Why an IP address may not be a webhook target, or null when it may. */
export function refusedAddressReason(address: string): string | null {
  const family = isIP(address)
  if (family === 4) return refusedIpv4(ipv4Octets(address) as number[])
  if (family !== 6) return `${address} is not an IP address`
  const groups = ipv6Groups(address)
  if (!groups) return `${address} is not an IP address`
  const canonical = groups.map((group) => group.toString(16)).join(':')
  if (METADATA_ADDRESSES.has(canonical)) return `${address} is a cloud metadata address`
  if (((groups[0] as number) & 0xffc0) === 0xfe80) return `${address} is link-local (fe80::/10)`
  // IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) and NAT64 (64:ff9b::/96, RFC 6052) addresses reach the IPv4 address inside.
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)
  if (mapped || nat64) {
    const [high, low] = [groups[6] as number, groups[7] as number]
    const reason = refusedIpv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
    if (reason) return `${address} embeds an IPv4 address: ${reason}`
  }
  return null
}

/** The URL's host without IPv6 brackets or a trailing root dot, lower-cased. */
function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase()
}

/** Checks the URL's form and its literal host, without DNS. */
export function checkWebhookUrlSyntax(text: string, options: Pick<UrlPolicyOptions, 'allowLinkLocal'>): UrlCheck {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { allowed: false, reason: 'must be an absolute http:// or https:// URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { allowed: false, reason: `the ${url.protocol.replace(/:$/, '')} scheme is not allowed: use http or https` }
  // Credentials in a URL end up in logs and listings; receivers authenticate webhooks by their signature.
  if (url.username !== '' || url.password !== '') return { allowed: false, reason: 'must not contain a user name or password' }
  const host = hostOf(url)
  if (host === '') return { allowed: false, reason: 'must name a host' }
  if (!options.allowLinkLocal) {
    if (METADATA_HOSTNAMES.has(host)) return { allowed: false, reason: `${host} is a cloud metadata service` }
    if (isIP(host)) {
      const reason = refusedAddressReason(host)
      if (reason) return { allowed: false, reason }
    }
  }
  return { allowed: true, url }
}

/** The whole policy: form, literal host, and every address the host resolves to. */
export async function checkWebhookUrl(text: string, options: UrlPolicyOptions): Promise<UrlCheck> {
  const syntax = checkWebhookUrlSyntax(text, options)
  if (!syntax.allowed) return syntax
  const host = hostOf(syntax.url)
  if (isIP(host)) return syntax
  let addresses: ResolvedAddress[]
  try {
    addresses = await (options.resolve ?? systemResolver)(host)
  } catch (error) {
    return { allowed: false, reason: `${host} does not resolve (${(error as { code?: string }).code ?? 'lookup failed'})` }
  }
  if (addresses.length === 0) return { allowed: false, reason: `${host} does not resolve` }
  if (!options.allowLinkLocal) {
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address)
      if (reason) return { allowed: false, reason: `${host} resolves to ${address}: ${reason}` }
    }
  }
  return syntax
}
