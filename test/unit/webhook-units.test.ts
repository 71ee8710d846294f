import t from 'tap'
import { retryDelayMs } from '../../src/core/webhooks/webhook-backoff.ts'
import { visibleInSnapshot } from '../../src/webhooks/webhook-dispatcher.ts'
import { guardedLookup } from '../../src/webhooks/webhook-http-client.ts'
import { generateWebhookSecret, signWebhook, verifyWebhookSignature, WebhookVerificationError } from '../../src/core/webhooks/webhook-signature.ts'
import { checkWebhookUrl, ipv6Groups, refusedAddressReason, type HostResolver } from '../../src/webhooks/webhook-url-policy.ts'

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

t.test('URL policy: addresses', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['169.254.169.254', false],
    ['169.254.0.1', false],
    ['169.253.255.255', true],
    ['169.255.0.0', true],
    ['100.100.100.200', false],
    ['100.100.100.201', true],
    ['::1', true],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['febf::1', false],
    ['fec0::1', true],
    ['fd00:ec2::254', false],
    ['fd00:ec2:0:0:0:0:0:254', false],
    ['fd00:ec2::255', true],
    ['::ffff:169.254.169.254', false],
    ['::ffff:a9fe:a9fe', false],
    ['::ffff:127.0.0.1', true],
    ['64:ff9b::169.254.169.254', false],
    ['2001:db8::1', true],
  ]
  for (const [address, allowed] of cases) t.equal(refusedAddressReason(address) === null, allowed, `${address}: ${allowed ? 'allowed' : 'refused'}`)
  t.same(ipv6Groups('1::'), [1, 0, 0, 0, 0, 0, 0, 0])
  t.same(ipv6Groups('::'), [0, 0, 0, 0, 0, 0, 0, 0])
  t.equal(ipv6Groups('1:2:3:4:5:6:7:8:9'), null)
  t.equal(ipv6Groups('1::2::3'), null)
})

t.test('URL policy: the names are resolved, and every address must be allowed', async (t) => {
  const zone: Record<string, Array<{ address: string; family: number }>> = {
    'hooks.example.com': [{ address: '203.0.113.10', family: 4 }],
    'rebind.example.com': [{ address: '169.254.169.254', family: 4 }],
    'mixed.example.com': [
      { address: '203.0.113.10', family: 4 },
      { address: 'fe80::1', family: 6 },
    ],
    'empty.example.com': [],
  }
  const resolve: HostResolver = async (host) => {
    const answer = zone[host]
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return answer
  }
  const check = (url: string, allowLinkLocal = false) => checkWebhookUrl(url, { allowLinkLocal, resolve })
  t.match(await check('https://hooks.example.com/x'), { allowed: true })
  t.match(await check('https://rebind.example.com/x'), { allowed: false, reason: /rebind\.example\.com resolves to 169\.254\.169\.254: .*metadata/ })
  t.match(await check('https://mixed.example.com/x'), { allowed: false, reason: /resolves to fe80::1/ })
  t.match(await check('https://nowhere.example.com/x'), { allowed: false, reason: /does not resolve \(ENOTFOUND\)/ })
  t.match(await check('https://empty.example.com/x'), { allowed: false, reason: /does not resolve/ })
  t.match(await check('https://rebind.example.com/x', true), { allowed: true })
  t.match(await checkWebhookUrl('http://localhost:1/x', { allowLinkLocal: false }), { allowed: true }, 'the system resolver: localhost is loopback')
})

t.test('the connection lookup refuses what the policy refuses, in both of its calling forms', async (t) => {
  const resolve: HostResolver = async (host) =>
    host === 'bad.test'
      ? [
          { address: '127.0.0.1', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ]
      : [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ]
  const lookup = guardedLookup(resolve, false)
  const call = (host: string, options: Record<string, unknown>) =>
    new Promise<{ error: NodeJS.ErrnoException | null; result: unknown; family?: number }>((done) =>
      lookup(host, options as never, ((error: NodeJS.ErrnoException | null, result: unknown, family?: number) => done({ error, result, family })) as never),
    )
  t.match(await call('good.test', {}), { error: null, result: '::1', family: 6 })
  t.match(await call('good.test', { family: 4 }), { error: null, result: '127.0.0.1', family: 4 })
  t.match(await call('good.test', { all: true }), { error: null, result: [{ address: '::1' }, { address: '127.0.0.1' }] })
  t.match(await call('bad.test', { all: true }), { error: { code: 'EWEBHOOKREFUSED', message: /169\.254\.169\.254/ } })
  t.match(await call('good.test', { family: 4, all: true }), { result: [{ address: '127.0.0.1' }] })
  t.match((await call('bad.test', {})).error?.code, 'EWEBHOOKREFUSED', 'refused even when the first address is fine')
  const permissive = guardedLookup(resolve, true)
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
