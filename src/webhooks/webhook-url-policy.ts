import { promises as dns } from 'node:dns'
import { BlockList, isIP } from 'node:net'

/**
 * Where the service is willing to send webhooks. A webhook URL is a request the service makes on a caller's
 * behalf — often an outside company's — so without a policy it is a server-side request forgery tool that reaches
 * into the city's own network (OWASP SSRF Prevention Cheat Sheet). Refused by default: every address that is not
 * a public unicast address (the special-purpose registries of RFC 6890: loopback, unspecified, RFC 1918, CGNAT,
 * unique-local, link-local, multicast, broadcast, documentation, benchmarking, reserved), and the same addresses
 * inside IPv6 forms that reach them (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
 *
 * An operator opens intranet receivers with WEBHOOK_ALLOWED_TARGETS (CIDRs and host names). Link-local networks
 * and the cloud instance-metadata services (169.254.169.254, fd00:ec2::254, 100.100.100.200,
 * metadata.google.internal), which hand out credentials to whoever asks from inside the instance, are opened only
 * by WEBHOOK_ALLOW_LINK_LOCAL — never by an allowed CIDR or name.
 *
 * Every spelling of an address is normalised by the WHATWG URL parser (`2130706433`, `0x7f000001`, `127.1`,
 * `0177.0.0.1`, `[::ffff:127.0.0.1]`, trailing dots → one canonical form) before it is compared, with node:net
 * (isIP, BlockList): never by matching text. The literal host is checked, and so is every address its name
 * resolves to — at registration and again at each delivery, where the check runs inside the connection's own
 * lookup (webhook-http-client.ts) and the connection goes to the address that was checked (no second
 * resolution: DNS rebinding cannot swap it).
 */
export interface ResolvedAddress {
  address: string
  family: number
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>

/** The operating system's resolver (getaddrinfo, as connections use it): every address, in its order. */
export const systemResolver: HostResolver = async (hostname) => await dns.lookup(hostname, { all: true, verbatim: true })

/** WEBHOOK_ALLOWED_TARGETS as the policy uses it (built once by allowedTargetsOf). */
export interface AllowedTargets {
  networks: BlockList
  /** Exact names, and `*.suffix` for every name under a suffix. */
  hostnames: readonly string[]
}

export interface UrlPolicyOptions {
  allowLinkLocal: boolean
  allowedTargets?: AllowedTargets | undefined
  resolve?: HostResolver | undefined
}

export type UrlCheck = { allowed: true; url: URL; addresses: ResolvedAddress[] | null } | { allowed: false; reason: string }

/** The normalised entries of WEBHOOK_ALLOWED_TARGETS (config.ts validates them: "a.b.c.d/n", "x::/n", names). */
export function allowedTargetsOf(entries: readonly string[]): AllowedTargets {
  const networks = new BlockList()
  const hostnames: string[] = []
  for (const entry of entries) {
    const slash = entry.lastIndexOf('/')
    const address = slash === -1 ? '' : entry.slice(0, slash)
    const family = isIP(address)
    if (family === 0) hostnames.push(entry)
    else networks.addSubnet(address, Number(entry.slice(slash + 1)), family === 4 ? 'ipv4' : 'ipv6')
  }
  return { networks, hostnames }
}

type RangeKind = 'link_local' | 'special'

interface SpecialRange {
  network: string
  prefix: number
  kind: RangeKind
  /** What the range is, for the refusal reason (no address of the target is repeated there). */
  label: string
}

const range = (cidr: string, label: string, kind: RangeKind = 'special'): SpecialRange => {
  const [network, prefix] = cidr.split('/') as [string, string]
  return { network, prefix: Number(prefix), kind, label: `${label} (${cidr})` }
}

/** IANA IPv4 Special-Purpose Address Registry (RFC 6890 and its updates), most specific first where they nest. */
const IPV4_RANGES: readonly SpecialRange[] = [
  range('0.0.0.0/8', 'the unspecified "this network" range, RFC 1122'),
  range('10.0.0.0/8', 'a private network, RFC 1918'),
  range('100.64.0.0/10', 'carrier-grade NAT shared address space, RFC 6598'),
  range('127.0.0.0/8', 'loopback, RFC 1122'),
  range('169.254.0.0/16', 'link-local, RFC 3927', 'link_local'),
  range('172.16.0.0/12', 'a private network, RFC 1918'),
  range('192.0.0.0/24', 'IETF protocol assignments, RFC 6890'),
  range('192.0.2.0/24', 'documentation (TEST-NET-1), RFC 5737'),
  range('192.88.99.0/24', 'the deprecated 6to4 relay anycast, RFC 7526'),
  range('192.168.0.0/16', 'a private network, RFC 1918'),
  range('198.18.0.0/15', 'benchmarking, RFC 2544'),
  range('198.51.100.0/24', 'documentation (TEST-NET-2), RFC 5737'),
  range('203.0.113.0/24', 'documentation (TEST-NET-3), RFC 5737'),
  range('224.0.0.0/4', 'multicast, RFC 5771'),
  range('255.255.255.255/32', 'the limited broadcast address, RFC 919'),
  range('240.0.0.0/4', 'reserved, RFC 1112'),
]

/** IANA IPv6 Special-Purpose Address Registry; the forms that embed an IPv4 address are handled apart. */
const IPV6_RANGES: readonly SpecialRange[] = [
  range('::/128', 'the unspecified address, RFC 4291'),
  range('::1/128', 'loopback, RFC 4291'),
  range('100::/64', 'discard-only, RFC 6666'),
  range('2001::/32', 'Teredo tunnelling, RFC 4380'),
  range('2001:2::/48', 'benchmarking, RFC 5180'),
  range('2001:db8::/32', 'documentation, RFC 3849'),
  range('3fff::/20', 'documentation, RFC 9637'),
  range('fc00::/7', 'unique-local, RFC 4193'),
  range('fe80::/10', 'link-local, RFC 4291', 'link_local'),
  range('fec0::/10', 'the deprecated site-local range, RFC 3879'),
  range('ff00::/8', 'multicast, RFC 4291'),
]

function blockListOf(ranges: readonly SpecialRange[], family: 'ipv4' | 'ipv6') {
  return ranges.map((entry) => {
    const list = new BlockList()
    list.addSubnet(entry.network, entry.prefix, family)
    return { ...entry, list }
  })
}

const IPV4_LISTS = blockListOf(IPV4_RANGES, 'ipv4')
const IPV6_LISTS = blockListOf(IPV6_RANGES, 'ipv6')

const METADATA_HOSTNAMES = new Set(['metadata.google.internal'])
/** Canonical forms (as the URL parser writes them). */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '100.100.100.200', 'fd00:ec2::254'])

/**
 * The canonical text of an IP address as the WHATWG URL parser writes it (IPv6 compressed, lower case, a dotted
 * IPv4 tail converted, a zone index dropped), or null when it is not an IP address.
 */
export function canonicalAddress(address: string): string | null {
  const bare = address.replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 0) return null
  try {
    return new URL(`http://${family === 6 ? `[${bare}]` : bare}/`).hostname.replace(/^\[(.*)\]$/, '$1')
  } catch {
    return null
  }
}

/** The sixteen bytes of a canonical IPv6 address. */
function ipv6Bytes(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::')
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)))
  const front = groups(head)
  const back = tail === undefined ? [] : groups(tail)
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back]
  return all.flatMap((group) => [group >> 8, group & 0xff])
}

/**
 * The IPv4 address an IPv6 address reaches when it embeds one: IPv4-mapped ::ffff:0:0/96 (RFC 4291 §2.5.5.2),
 * IPv4-translated ::ffff:0:0:0/96 (RFC 2765), IPv4-compatible ::/96 (deprecated, RFC 4291 §2.5.5.1), NAT64
 * 64:ff9b::/96 (RFC 6052) and 64:ff9b:1::/48 (RFC 8215), and 6to4 2002::/16 (RFC 3056).
 */
function embeddedIpv4(canonical: string): { address: string; form: string } | null {
  const bytes = ipv6Bytes(canonical)
  const zero = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0)
  const v4 = (offset: number) => bytes.slice(offset, offset + 4).join('.')
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return { address: v4(12), form: 'IPv4-mapped' }
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12)) return { address: v4(12), form: 'IPv4-translated' }
  if (zero(0, 12) && !zero(12, 16) && canonical !== '::1') return { address: v4(12), form: 'IPv4-compatible' }
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return { address: v4(12), form: 'NAT64' }
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && bytes[4] === 0 && bytes[5] === 1) return { address: v4(12), form: 'local-use NAT64' }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { address: v4(2), form: '6to4' }
  return null
}

/** A host name allowed by WEBHOOK_ALLOWED_TARGETS (exactly, or under a `*.` suffix). */
function hostnameAllowed(hostname: string, allowed: AllowedTargets | undefined): boolean {
  if (!allowed) return false
  return allowed.hostnames.some((entry) => (entry.startsWith('*.') ? hostname.endsWith(entry.slice(1)) : hostname === entry))
}

export interface AddressPolicy {
  allowLinkLocal: boolean
  allowedTargets?: AllowedTargets | undefined
  /** The URL's host name is itself allowed (WEBHOOK_ALLOWED_TARGETS): its addresses may be private. */
  hostAllowed?: boolean | undefined
}

/**
 * Why an IP address may not be a webhook target, or null when it may. The reason names the kind of address and
 * its range, never a resolved address (which would reveal the city's internal DNS to an outside caller).
 */
export function refusedAddressReason(address: string, policy: AddressPolicy): string | null {
  const canonical = canonicalAddress(address)
  if (canonical === null) return 'not an IP address'
  if (METADATA_ADDRESSES.has(canonical)) return policy.allowLinkLocal ? null : 'a cloud metadata address'
  const family = isIP(canonical) === 4 ? 'ipv4' : 'ipv6'
  const opened = () => policy.hostAllowed === true || policy.allowedTargets?.networks.check(canonical, family) === true
  if (family === 'ipv6') {
    const embedded = embeddedIpv4(canonical)
    if (embedded) {
      const inner = refusedAddressReason(embedded.address, policy)
      if (inner && !opened()) return `an ${embedded.form} address that reaches ${inner}`
    }
  }
  const special = (family === 'ipv4' ? IPV4_LISTS : IPV6_LISTS).find((entry) => entry.list.check(canonical, family))
  if (!special) return null
  if (special.kind === 'link_local') return policy.allowLinkLocal ? null : special.label
  return opened() ? null : special.label
}

/** The URL's host without IPv6 brackets or a trailing root dot, as the URL parser normalised it. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
}

/** `localhost` and every name under it are loopback, whatever a resolver says (RFC 6761 §6.3). */
const isLocalhostName = (host: string) => host === 'localhost' || host.endsWith('.localhost')
const LOOPBACK: ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]

/** Checks the URL's form and its literal host, without DNS. */
export function checkWebhookUrlSyntax(text: string, options: Omit<UrlPolicyOptions, 'resolve'>): UrlCheck {
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
  if (isIP(host)) {
    const reason = refusedAddressReason(host, options)
    return reason ? { allowed: false, reason: `${host} is ${reason}` } : { allowed: true, url, addresses: [{ address: host, family: isIP(host) }] }
  }
  if (METADATA_HOSTNAMES.has(host) && !options.allowLinkLocal) return { allowed: false, reason: `${host} is a cloud metadata service` }
  return { allowed: true, url, addresses: null }
}

/**
 * The addresses a host may be connected to: all of them allowed, or the reason one is not (a name with one
 * refused address among its answers is refused as a whole: the connection could pick that one).
 */
export async function resolveAllowedAddresses(
  host: string,
  options: UrlPolicyOptions,
): Promise<{ allowed: true; addresses: ResolvedAddress[] } | { allowed: false; reason: string; code: 'target_refused' | 'dns_error' }> {
  const literal = isIP(host)
  let addresses: ResolvedAddress[]
  if (literal) addresses = [{ address: host, family: literal }]
  else if (isLocalhostName(host)) addresses = LOOPBACK
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host)
    } catch (error) {
      return { allowed: false, code: 'dns_error', reason: `${host} does not resolve (${(error as { code?: string }).code ?? 'lookup failed'})` }
    }
  }
  if (addresses.length === 0) return { allowed: false, code: 'dns_error', reason: `${host} does not resolve` }
  const hostAllowed = !literal && hostnameAllowed(host, options.allowedTargets)
  for (const { address } of addresses) {
    const reason = refusedAddressReason(address, { ...options, hostAllowed })
    if (reason) return { allowed: false, code: 'target_refused', reason: literal ? `${host} is ${reason}` : `${host} resolves to ${reason}` }
  }
  return { allowed: true, addresses }
}

/** The whole policy: form, literal host, and every address the host resolves to. */
export async function checkWebhookUrl(text: string, options: UrlPolicyOptions): Promise<UrlCheck> {
  const syntax = checkWebhookUrlSyntax(text, options)
  if (!syntax.allowed) return syntax
  const resolved = await resolveAllowedAddresses(hostOf(syntax.url), options)
  return resolved.allowed ? { ...syntax, addresses: resolved.addresses } : resolved
}
