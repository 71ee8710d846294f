import t from 'tap'
import { retryDelayMs } from '../../src/core/webhooks/webhook-backoff.ts'
import { visibleInSnapshot } from '../../src/webhooks/webhook-dispatcher.ts'
import { guardedLookup } from '../../src/webhooks/webhook-http-client.ts'
import { generateWebhookSecret, signWebhook, verifyWebhookSignature, WebhookVerificationError } from '../../src/core/webhooks/webhook-signature.ts'
import { allowedTargetsOf, canonicalAddress, checkWebhookUrl, refusedAddressReason, type HostResolver, type UrlPolicyOptions } from '../../src/webhooks/webhook-url-policy.ts'
import { loadConfig } from '../../src/platform/config/config.ts'
import { eventTypes } from '../../src/core/lifecycle/case-state-machine.ts'
import { PUBLISHED_EVENT_TYPES } from '../../src/core/lifecycle/event-types.ts'

t.test('signatures reproduce the Standard Webhooks test vector', async (t) => {
  // The published vector of the Standard Webhooks specification (secret of 24 bytes, body with a space).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const body = '{"test": 2432232314}'
  t.equal(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }
  const at = new Date(1614265330 * 1000)
  t.same(verifyWebhookSignature(secret, headers, body, 300, at), { messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 })
  t.same(verifyWebhookSignature(secret, new Headers(headers), Buffer.from(body), 300, at).timestamp, 1614265330, 'fetch Headers and a Buffer body work too')
  t.ok(
    verifyWebhookSignature(secret, { ...headers, 'webhook-signature': `v1,${'A'.repeat(43)}= v2,xyz ${headers['webhook-signature']}` }, body, 300, at),
    'any matching v1 entry of several (secret rotation)',
  )
  const refusals: Array<[Record<string, string>, string, Date, RegExp]> = [
    [{ ...headers, 'webhook-signature': 'v1,AAAA' }, body, at, /no webhook-signature matches/],
    [headers, '{"test": 2432232315}', at, /no webhook-signature matches/],
    [{ ...headers, 'webhook-id': 'msg_other' }, body, at, /no webhook-signature matches/],
    [{ ...headers, 'webhook-timestamp': '1614265331' }, body, at, /no webhook-signature matches/],
    [headers, body, new Date((1614265330 + 301) * 1000), /tolerance 300 s/],
    [headers, body, new Date((1614265330 - 301) * 1000), /tolerance 300 s/],
    [{ 'webhook-id': 'x', 'webhook-timestamp': '1' }, body, at, /missing/],
    [{ ...headers, 'webhook-timestamp': '16142653.30' }, body, at, /unix seconds/],
  ]
  for (const [candidate, candidateBody, now, reason] of refusals) {
    t.throws(() => verifyWebhookSignature(secret, candidate, candidateBody, 300, now), WebhookVerificationError)
    t.throws(() => verifyWebhookSignature(secret, candidate, candidateBody, 300, now), reason)
  }
  const fresh = generateWebhookSecret()
  t.match(fresh, /^whsec_[A-Za-z0-9+/]{43}=$/)
  t.not(fresh, generateWebhookSecret())
})

const none = allowedTargetsOf([])
const strict = { allowLinkLocal: false, allowedTargets: none }

t.test('target policy: every non-public address is refused by default, public ones pass', async (t) => {
  const refused: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['10.1.2.3', /private network, RFC 1918/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.168.1.20', /RFC 1918/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['169.254.0.1', /link-local/],
    ['169.254.169.254', /cloud metadata/],
    ['100.100.100.200', /cloud metadata/],
    ['192.0.0.8', /IETF protocol assignments/],
    ['192.0.2.1', /TEST-NET-1/],
    ['198.51.100.7', /TEST-NET-2/],
    ['203.0.113.10', /TEST-NET-3/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['fc00::1', /unique-local/],
    ['fd12:3456::1', /unique-local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    ['fd00:ec2::254', /cloud metadata/],
    ['::ffff:127.0.0.1', /IPv4-mapped address that reaches loopback/],
    ['::ffff:7f00:1', /IPv4-mapped address that reaches loopback/],
    ['::ffff:10.0.0.1', /IPv4-mapped .*RFC 1918/],
    ['::ffff:169.254.169.254', /IPv4-mapped .*cloud metadata/],
    ['::ffff:a9fe:a9fe', /cloud metadata/],
    ['::127.0.0.1', /IPv4-compatible address that reaches loopback/],
    ['::ffff:0:7f00:1', /IPv4-translated/],
    ['64:ff9b::127.0.0.1', /NAT64 address that reaches loopback/],
    ['64:ff9b::169.254.169.254', /NAT64 .*metadata/],
    ['64:ff9b:1::a00:1', /local-use NAT64 .*RFC 1918/],
    ['2002:7f00:1::', /6to4 address that reaches loopback/],
    ['2002:c0a8:101::1', /6to4 .*RFC 1918/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['not-an-ip', /not an IP address/],
  ]
  for (const [address, reason] of refused) t.match(refusedAddressReason(address, strict), reason, `${address} is refused`)
  for (const address of ['8.8.8.8', '93.184.216.34', '100.128.0.1', '169.253.255.255', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::1']) {
    t.equal(refusedAddressReason(address, strict), null, `${address} (public) is allowed`)
  }
  t.equal(canonicalAddress('::FFFF:127.0.0.1'), '::ffff:7f00:1', 'the URL parser writes the canonical form')
  t.equal(canonicalAddress('fe80::1%eth0'), 'fe80::1')
  t.equal(canonicalAddress('example.com'), null)
})

t.test('target policy: WEBHOOK_ALLOWED_TARGETS opens what it names, never link-local or metadata; WEBHOOK_ALLOW_LINK_LOCAL those only', async (t) => {
  const allowed = { allowLinkLocal: false, allowedTargets: allowedTargetsOf(['127.0.0.1/32', '10.0.0.0/8', 'fd12:3456::/32', '169.254.0.0/16', '100.64.0.0/10']) }
  for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '10.20.30.40', '::ffff:10.0.0.1', '64:ff9b::10.0.0.1', '2002:a00:1::', 'fd12:3456::9', '100.64.0.1']) {
    t.equal(refusedAddressReason(address, allowed), null, `${address} is allowed by the list`)
  }
  for (const address of ['127.0.0.2', '::1', '192.168.0.1', 'fd12:3457::1', '169.254.10.1', '169.254.169.254', '100.100.100.200', 'fe80::1']) {
    t.not(refusedAddressReason(address, allowed), null, `${address} stays refused`)
  }
  const linkLocal = { allowLinkLocal: true, allowedTargets: none }
  for (const address of ['169.254.169.254', '169.254.10.1', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '::ffff:169.254.169.254']) {
    t.equal(refusedAddressReason(address, linkLocal), null, `${address}: WEBHOOK_ALLOW_LINK_LOCAL`)
  }
  t.not(refusedAddressReason('127.0.0.1', linkLocal), null, 'WEBHOOK_ALLOW_LINK_LOCAL opens nothing else')
})

t.test('target policy: every spelling of a refused address is refused (normalised by the URL parser, no DNS)', async (t) => {
  const never: HostResolver = async () => {
    throw new Error('no DNS for a literal address or localhost')
  }
  const spellings = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0x7F.0.0.1/',
    'http://127.1/',
    'http://127.0.1/',
    'http://0177.0.0.1/',
    'http://017700000001/',
    'http://127.0.0.1./',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://[::127.0.0.1]/',
    'http://[::1]:8080/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://0/',
    'http://0.0.0.0:3000/',
    'http://[::]/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://api.localhost:8080/',
    'http://10.1/',
    'http://0xa.0x1.0x2.0x3/',
    'http://3232235777/',
    'http://2852039166/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::7f00:1]/',
    'http://%31%32%37.0.0.1/',
    'http://metadata.google.internal./',
  ]
  for (const url of spellings) {
    const check = await checkWebhookUrl(url, { ...strict, resolve: never })
    t.equal(check.allowed, false, `${url} is refused`)
  }
  t.match(await checkWebhookUrl('http://2130706433/', strict), { allowed: false, reason: '127.0.0.1 is loopback, RFC 1122 (127.0.0.0/8)' })
  t.match(await checkWebhookUrl('http://localhost:1/', { ...strict, resolve: never }), { allowed: false, reason: /^localhost resolves to loopback/ })
  const loopbackOk = { allowLinkLocal: false, allowedTargets: allowedTargetsOf(['127.0.0.1/32']), resolve: never }
  t.match(await checkWebhookUrl('http://0x7f000001:8080/hooks', loopbackOk), { allowed: true, addresses: [{ address: '127.0.0.1', family: 4 }] })
  t.match(await checkWebhookUrl('http://localhost:8080/', loopbackOk), { allowed: false, reason: /localhost resolves to loopback, RFC 4291/ }, 'localhost is also ::1')
})

t.test('target policy: names are resolved (a fake resolver), and every address must be allowed', async (t) => {
  const zone: Record<string, Array<{ address: string; family: number }>> = {
    'hooks.example.com': [{ address: '93.184.216.34', family: 4 }],
    'rebind.example.com': [{ address: '169.254.169.254', family: 4 }],
    'payroll.intranet.example': [{ address: '10.8.0.5', family: 4 }],
    'hooks.intranet.example': [{ address: '10.8.0.6', family: 4 }],
    'a.corp.example': [{ address: '192.168.4.4', family: 4 }],
    'meta.corp.example': [{ address: '169.254.169.254', family: 4 }],
    'mixed.example.com': [
      { address: '93.184.216.34', family: 4 },
      { address: 'fe80::1', family: 6 },
    ],
    'mapped.example.com': [{ address: '::ffff:127.0.0.1', family: 6 }],
    'empty.example.com': [],
  }
  const resolve: HostResolver = async (host) => {
    const answer = zone[host]
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return answer
  }
  const check = (url: string, options: Partial<UrlPolicyOptions> = {}) => checkWebhookUrl(url, { ...strict, resolve, ...options })
  t.match(await check('https://hooks.example.com/x'), { allowed: true, addresses: [{ address: '93.184.216.34' }] })
  t.match(await check('https://HOOKS.example.com./x'), { allowed: true }, 'case and a trailing dot do not matter')
  const rebind = await check('https://rebind.example.com/x')
  t.match(rebind, { allowed: false, reason: 'rebind.example.com resolves to a cloud metadata address' })
  const payroll = await check('https://payroll.intranet.example/x')
  t.match(payroll, { allowed: false, reason: /^payroll\.intranet\.example resolves to a private network, RFC 1918 \(10\.0\.0\.0\/8\)$/ })
  t.notOk(JSON.stringify(payroll).includes('10.8.0.5'), 'the resolved address is not revealed')
  t.match(await check('https://mixed.example.com/x'), { allowed: false, reason: /resolves to link-local/ }, 'one refused address refuses the name')
  t.match(await check('https://mapped.example.com/x'), { allowed: false, reason: /IPv4-mapped address that reaches loopback/ })
  t.match(await check('https://nowhere.example.com/x'), { allowed: false, reason: /does not resolve \(ENOTFOUND\)/ })
  t.match(await check('https://empty.example.com/x'), { allowed: false, reason: /does not resolve/ })
  t.match(await check('https://rebind.example.com/x', { allowLinkLocal: true }), { allowed: true })
  const names = { allowedTargets: allowedTargetsOf(['hooks.intranet.example', '*.corp.example']) }
  t.match(await check('https://hooks.intranet.example/x', names), { allowed: true }, 'an allowed name may resolve to a private address')
  t.match(await check('https://payroll.intranet.example/x', names), { allowed: false }, 'its neighbours may not')
  t.match(await check('https://a.corp.example/x', names), { allowed: true }, '*.corp.example covers the names under it')
  t.match(await check('https://corp.example/x', names), { allowed: false, reason: /does not resolve/ }, 'but not corp.example itself')
  t.match(await check('https://meta.corp.example/x', names), { allowed: false, reason: /cloud metadata/ }, 'never metadata, allowed name or not')
})

t.test('WEBHOOK_ALLOWED_TARGETS: validated and normalised at boot, with a clear error', async (t) => {
  t.same(loadConfig({}).WEBHOOK_ALLOWED_TARGETS, [])
  t.equal(loadConfig({}).WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION, 10)
  t.same(loadConfig({ WEBHOOK_ALLOWED_TARGETS: ' 10.20.0.0/16, hooks.Intranet.example. ,*.corp.example,127.0.0.1, FD12:3456::/48,10.20.0.0/16' }).WEBHOOK_ALLOWED_TARGETS, [
    '10.20.0.0/16',
    'hooks.intranet.example',
    '*.corp.example',
    '127.0.0.1/32',
    'fd12:3456::/48',
  ])
  for (const [value, message] of [
    ['10.0.0.0/33', /prefix length that is not 0 to 32/],
    ['fd00::/129', /not 0 to 128/],
    ['127.1', /neither a CIDR/],
    ['0x7f000001', /neither a CIDR/],
    ['hooks.example.com/24', /is not a CIDR/],
    ['bad host!', /neither a CIDR/],
    ['10.0.0.0/8,http://x', /"http:\/\/x"/],
  ] as const) {
    t.throws(() => loadConfig({ WEBHOOK_ALLOWED_TARGETS: value }), { name: 'ConfigError', message: /WEBHOOK_ALLOWED_TARGETS/ })
    t.throws(() => loadConfig({ WEBHOOK_ALLOWED_TARGETS: value }), { message }, value)
  }
  t.throws(() => loadConfig({ WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION: '0' }), { message: /WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION must be at least 1/ })
})

t.test('the published event types include every type the lifecycle writes', async (t) => {
  for (const type of Object.values(eventTypes)) t.ok(PUBLISHED_EVENT_TYPES.includes(type), type)
  for (const status of ['submitted', 'filed', 'notified']) t.ok(PUBLISHED_EVENT_TYPES.includes(`case.${status}`))
  t.ok(PUBLISHED_EVENT_TYPES.includes('case.overdue'))
  t.equal(new Set(PUBLISHED_EVENT_TYPES).size, PUBLISHED_EVENT_TYPES.length, 'no repeats')
})

t.test('the connection lookup refuses what the policy refuses, in both of its calling forms, and pins what it checked', async (t) => {
  let calls = 0
  const resolve: HostResolver = async (host) => {
    calls++
    return host === 'bad.test'
      ? [
          { address: '93.184.216.34', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ]
      : [
          { address: '2606:4700::1111', family: 6 },
          { address: '93.184.216.34', family: 4 },
        ]
  }
  const lookup = guardedLookup({ ...strict, resolve })
  const call = (host: string, options: Record<string, unknown>) =>
    new Promise<{ error: NodeJS.ErrnoException | null; result: unknown; family?: number }>((done) =>
      lookup(host, options as never, ((error: NodeJS.ErrnoException | null, result: unknown, family?: number) => done({ error, result, family })) as never),
    )
  t.match(await call('good.test', {}), { error: null, result: '2606:4700::1111', family: 6 })
  t.match(await call('good.test', { family: 4 }), { error: null, result: '93.184.216.34', family: 4 })
  t.match(await call('good.test', { all: true }), { error: null, result: [{ address: '2606:4700::1111' }, { address: '93.184.216.34' }] })
  t.match(await call('bad.test', { all: true }), { error: { code: 'EWEBHOOKREFUSED', message: /bad\.test resolves to a cloud metadata address/ } })
  t.match(await call('good.test', { family: 4, all: true }), { result: [{ address: '93.184.216.34' }] })
  t.match((await call('bad.test', {})).error?.code, 'EWEBHOOKREFUSED', 'refused even when the first address is fine')
  t.match(await call('localhost', {}), { error: { code: 'EWEBHOOKREFUSED' } }, 'localhost is loopback without asking DNS')
  t.equal(calls, 6, 'one resolution per connection: the answer checked is the answer connected to')
  const permissive = guardedLookup({ allowLinkLocal: true, allowedTargets: none, resolve })
  const allowed = await new Promise<unknown>((done) => permissive('bad.test', { all: true } as never, ((_e: unknown, result: unknown) => done(result)) as never))
  t.equal((allowed as unknown[]).length, 2)
})

t.test('backoff: exponential ceiling, full jitter, floor and cap', async (t) => {
  t.equal(
    retryDelayMs(1, () => 0.5),
    2_500,
  )
  t.equal(
    retryDelayMs(2, () => 0.5),
    5_000,
  )
  t.equal(
    retryDelayMs(3, () => 0.999),
    19_980,
  )
  t.equal(
    retryDelayMs(1, () => 0),
    1_000,
    'never immediately',
  )
  t.equal(
    retryDelayMs(30, () => 0.5),
    30 * 60 * 1000,
    'capped at an hour',
  )
  t.equal(
    retryDelayMs(1_000, () => 0.9999999),
    3_599_999,
  )
  const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(10)))
  t.ok(spread.size > 40, 'Math.random by default: retries spread out')
})

t.test('snapshot visibility (an endpoint receives what its registration could not see)', async (t) => {
  const snapshot = '100:105:101,103'
  t.ok(visibleInSnapshot('99', snapshot))
  t.notOk(visibleInSnapshot('101', snapshot), 'in progress at registration')
  t.ok(visibleInSnapshot('102', snapshot))
  t.notOk(visibleInSnapshot('103', snapshot))
  t.ok(visibleInSnapshot('104', snapshot))
  t.notOk(visibleInSnapshot('105', snapshot), 'started after')
  t.notOk(visibleInSnapshot('18446744073709551000', '100:100:'), 'xid8 values beyond 2^53 compare exactly')
  t.ok(visibleInSnapshot('99', '100:100:'))
})
