import t from 'tap'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { EXPLANATION_CODES, decideRoute, notMatchedCode, selectRuleSet, type RouteDecision, type RouteInput } from '../../../src/core/rules/route-decision.ts'
import { ruleSetSchema, type Route, type RuleSet } from '../../../src/core/rules/rule-set.schema.ts'
import { validateRuleSetParameters } from '../../../src/core/rules/rule-set.validation.ts'

const NOTICE = /关于实行电力工程掘路审批快捷通道的通知/

function input(voltageVolts: number, excavationLengthMeters: number, flags: Partial<RouteInput> = {}): RouteInput {
  return { voltageVolts, excavationLengthMeters, emergency: false, roadProtected: false, ...flags }
}

function decide(voltageVolts: number, length: number, flags: Partial<RouteInput> = {}, ruleSet = DEFAULT_RULE_SET) {
  return decideRoute(ruleSet, input(voltageVolts, length, flags))
}

function codes(d: RouteDecision): string[] {
  return d.explanation.map((e) => e.code)
}

function item(d: RouteDecision, code: string) {
  return d.explanation.find((e) => e.code === code)
}

t.test('every voltage and length boundary (docs/domain.md §2)', async (t) => {
  const lengths = [0.01, 49.99, 50, 50.01, 199.99, 200, 200.01] as const
  const C = 'commitment_filing'
  const F = 'fast_track'
  const J = 'joint_review'
  const S = 'standard'
  // Rows: voltage; columns: the lengths above. Written out, not computed, so the table is the spec.
  const expected: Array<[number, Route[]]> = [
    [399, [C, C, C, C, C, C, J]],
    [400, [C, C, C, C, C, C, J]], // 400伏以下 includes 400 V; over 200 m falls through to the 10 kV rules
    [401, [F, F, J, J, J, J, J]],
    [9999, [F, F, J, J, J, J, J]],
    [10_000, [F, F, J, J, J, J, J]], // 10千伏及以下 includes 10 kV; exactly 50 m goes to joint review
    [10_001, [S, S, S, S, S, S, S]],
    [35_000, [S, S, S, S, S, S, S]],
  ]
  for (const [volts, routes] of expected) {
    lengths.forEach((length, i) => {
      t.equal(decide(volts, length).route, routes[i], `${volts} V, ${length} m`)
    })
  }
  // A few more that are easy to get wrong with floating point or a sloppy bound.
  t.equal(decide(1, 0.01).route, 'commitment_filing', 'smallest valid application')
  t.equal(decide(220, 200.0).route, 'commitment_filing', '200.00 m is 200 m')
  t.equal(decide(380, 1000).route, 'joint_review', 'long low-voltage works')
  t.equal(decide(10_000, 0.01).route, 'fast_track')
  t.equal(decide(110_000, 5000).route, 'standard')
})

t.test('emergency repair overrides everything, even a protected road, at any voltage', async (t) => {
  for (const volts of [220, 400, 401, 10_000, 10_001, 220_000]) {
    for (const length of [0.01, 50, 200.01, 999.99]) {
      for (const roadProtected of [false, true]) {
        const d = decide(volts, length, { emergency: true, roadProtected })
        t.equal(d.route, 'emergency_repair', `${volts} V, ${length} m, protected=${roadProtected}`)
        t.equal(d.explanation[0]?.code, EXPLANATION_CODES.matched, 'first rule, nothing before it')
        t.notOk(
          codes(d).some((c) => c.startsWith('boundary.')),
          'voltage and length do not decide it',
        )
      }
    }
  }
  const d = decide(230, 10, { emergency: true, roadProtected: true })
  t.match(item(d, EXPLANATION_CODES.matched)!.basis, /城市道路管理条例》第三十四条/)
  t.match(item(d, EXPLANATION_CODES.matched)!.text, /first match wins/)
})

t.test('a protected road needs special approval and beats every band rule', async (t) => {
  for (const [volts, length] of [
    [230, 10], // would be commitment filing
    [400, 200],
    [10_000, 49.99], // would be fast track
    [10_000, 50],
    [35_000, 10], // would be standard
  ] as const) {
    const d = decide(volts, length, { roadProtected: true })
    t.equal(d.route, 'special_approval', `${volts} V, ${length} m`)
    t.strictSame(codes(d).slice(0, 2), [notMatchedCode('emergency_repair'), EXPLANATION_CODES.matched])
  }
  const d = decide(230, 10, { roadProtected: true })
  t.match(item(d, notMatchedCode('emergency_repair'))!.text, /emergency: false/)
  t.match(item(d, EXPLANATION_CODES.matched)!.basis, /第三十三条/)
  t.match(d.approvingAuthority!, /县级以上城市人民政府/)
  t.equal(d.timeLimit, null, 'tracked, not promised')
})

t.test('low voltage over 200 m falls through to the ≤ 10 kV rules', async (t) => {
  for (const [volts, length] of [
    [400, 200.01],
    [230, 1000],
  ] as const) {
    const d = decide(volts, length)
    t.equal(d.route, 'joint_review')
    t.strictSame(codes(d).slice(0, 6), [
      notMatchedCode('emergency_repair'),
      notMatchedCode('special_approval'),
      notMatchedCode('commitment_filing'),
      notMatchedCode('fast_track'),
      EXPLANATION_CODES.fellThrough,
      EXPLANATION_CODES.matched,
    ])
    t.match(item(d, notMatchedCode('commitment_filing'))!.text, new RegExp(`${length} m is outside the length band "at most 200 m"`))
    t.match(item(d, EXPLANATION_CODES.fellThrough)!.text, /falls through to the length bands of the distribution-voltage tier/)
    t.match(item(d, EXPLANATION_CODES.fellThrough)!.basis, NOTICE)
    t.match(item(d, EXPLANATION_CODES.matched)!.text, /having fallen through/)
  }
})

t.test('why each earlier rule did not match, in order', async (t) => {
  const d = decide(35_000, 10)
  t.strictSame(codes(d).slice(0, 6), [
    notMatchedCode('emergency_repair'),
    notMatchedCode('special_approval'),
    notMatchedCode('commitment_filing'),
    notMatchedCode('fast_track'),
    notMatchedCode('joint_review'),
    EXPLANATION_CODES.matched,
  ])
  t.match(item(d, notMatchedCode('commitment_filing'))!.text, /35 kV is outside the low-voltage tier \(at most 400 V\)/)
  t.match(item(d, notMatchedCode('fast_track'))!.text, /35 kV is outside the distribution-voltage tier \(over 400 V and at most 10 kV\)/)
  t.match(item(d, notMatchedCode('special_approval'))!.text, /roadProtected: false/)

  const f = decide(10_000, 49.99)
  t.strictSame(codes(f).slice(0, 4), [notMatchedCode('emergency_repair'), notMatchedCode('special_approval'), notMatchedCode('commitment_filing'), EXPLANATION_CODES.matched])
  t.notOk(codes(f).includes(notMatchedCode('joint_review')), 'later rules are not explained')

  for (const e of [...d.explanation, ...f.explanation]) {
    t.match(e.code, /^[a-z_]+(\.[a-z_]+)+$/, 'stable dotted code')
    t.ok(e.text.length > 0 && e.basis.length > 0, `${e.code} has text and basis`)
  }
})

t.test('boundary semantics are explained', async (t) => {
  t.test('exactly 50 m: the boundary rule decided it', async (t) => {
    for (const volts of [401, 10_000]) {
      const d = decide(volts, 50)
      t.equal(d.route, 'joint_review')
      const b = item(d, EXPLANATION_CODES.lengthAtThreshold)
      t.ok(b, 'boundary.length.exactly_at_threshold present')
      t.match(b!.text, /boundary rule of this rule set decided it/)
      t.match(b!.text, /neither band of the notice \(小于50米 \/ 大于50米\)/)
      t.match(b!.text, /read strictly/)
      t.match(b!.basis, NOTICE)
      t.match(b!.basis, /boundary rule of rule set zz-green-channel v1/)
      t.match(item(d, notMatchedCode('fast_track'))!.text, /小于 excludes the number/)
    }
  })
  t.test('no boundary item just either side of a threshold', async (t) => {
    for (const [volts, length] of [
      [9999, 49.99],
      [9999, 50.01],
      [399, 199.99],
      [401, 200.01],
      [9999, 10],
      [10_001, 10],
    ] as const) {
      t.notOk(
        codes(decide(volts, length)).some((c) => c.startsWith('boundary.')),
        `${volts} V, ${length} m`,
      )
    }
  })
  t.test('200 m is included: 延伸至200米', async (t) => {
    const b = item(decide(230, 200), EXPLANATION_CODES.lengthAtThreshold)
    t.match(b!.text, /200 m lies exactly on the threshold and is included/)
    t.match(b!.text, /延伸至200米/)
    t.notMatch(b!.text, /boundary rule/, 'the text itself settles it')
  })
  t.test('400 V is included: 以下 includes the number', async (t) => {
    const b = item(decide(400, 10), EXPLANATION_CODES.voltageAtThreshold)
    t.match(b!.text, /400 V lies exactly on the threshold and is included in the low-voltage tier/)
    t.match(b!.text, /以下 includes the number/)
    t.match(b!.basis, NOTICE)
  })
  t.test('10 kV is included: 及以下', async (t) => {
    const d = decide(10_000, 10)
    t.equal(d.route, 'fast_track')
    t.match(item(d, EXPLANATION_CODES.voltageAtThreshold)!.text, /10 kV .*distribution-voltage tier.*及以下 includes the number/)
  })
  t.test('400 V over 200 m: the voltage boundary is the low-voltage tier it fell through from', async (t) => {
    const d = decide(400, 200.01)
    t.equal(d.explanation.filter((e) => e.code === EXPLANATION_CODES.voltageAtThreshold).length, 1)
    t.match(item(d, EXPLANATION_CODES.voltageAtThreshold)!.text, /low-voltage tier/)
  })
})

t.test('outcome of every route: approval, time limit, extension, stages, authority, basis', async (t) => {
  const ROAD_AUTHORITIES = /市政工程行政主管部门和公安交通管理部门/
  const cases: Array<{
    name: string
    d: RouteDecision
    route: Route
    requiresApproval: boolean
    timeLimit: RouteDecision['timeLimit']
    extension: RouteDecision['extension']
    stages: string[]
    authority: RegExp | null
    matchedBasis: RegExp
    timeLimitBasis: RegExp
  }> = [
    {
      name: 'emergency',
      d: decide(10_000, 80, { emergency: true }),
      route: 'emergency_repair',
      requiresApproval: true,
      timeLimit: { amount: 24, unit: 'hours' },
      extension: null,
      stages: [],
      authority: ROAD_AUTHORITIES,
      matchedBasis: /第三十四条/,
      timeLimitBasis: /第三十四条/,
    },
    {
      name: 'protected road',
      d: decide(10_000, 80, { roadProtected: true }),
      route: 'special_approval',
      requiresApproval: true,
      timeLimit: null,
      extension: null,
      stages: [],
      authority: /城市人民政府/,
      matchedBasis: /第三十三条第二款/,
      timeLimitBasis: /第三十三条/,
    },
    {
      name: 'commitment filing',
      d: decide(380, 120),
      route: 'commitment_filing',
      requiresApproval: false,
      timeLimit: { amount: 0, unit: 'working_days' },
      extension: null,
      stages: [],
      authority: null,
      matchedBasis: NOTICE,
      timeLimitBasis: NOTICE,
    },
    {
      name: 'fast track',
      d: decide(10_000, 30),
      route: 'fast_track',
      requiresApproval: true,
      timeLimit: { amount: 2, unit: 'working_days' },
      extension: null,
      stages: [],
      authority: ROAD_AUTHORITIES,
      matchedBasis: NOTICE,
      timeLimitBasis: NOTICE,
    },
    {
      name: 'joint review',
      d: decide(10_000, 80),
      route: 'joint_review',
      requiresApproval: true,
      timeLimit: { amount: 8, unit: 'working_days' },
      extension: null,
      stages: ['joint_survey', 'consultation', 'decision', 'issuance'],
      authority: ROAD_AUTHORITIES,
      matchedBasis: NOTICE,
      timeLimitBasis: NOTICE,
    },
    {
      name: 'standard',
      d: decide(35_000, 80),
      route: 'standard',
      requiresApproval: true,
      timeLimit: { amount: 20, unit: 'working_days' },
      extension: { amount: 10, unit: 'working_days' },
      stages: [],
      authority: ROAD_AUTHORITIES,
      matchedBasis: /城市道路管理条例》第三十三条第一款/,
      timeLimitBasis: /行政许可法》第四十二条/,
    },
  ]
  for (const c of cases) {
    t.test(c.name, async (t) => {
      t.equal(c.d.route, c.route)
      t.equal(c.d.requiresApproval, c.requiresApproval)
      t.equal(c.d.requiresJointReview, c.route === 'joint_review')
      t.strictSame(c.d.timeLimit, c.timeLimit)
      t.strictSame(c.d.extension, c.extension)
      t.strictSame(
        c.d.stages.map((s) => s.key),
        c.stages,
      )
      if (c.authority === null) t.equal(c.d.approvingAuthority, null)
      else t.match(c.d.approvingAuthority!, c.authority)
      t.match(item(c.d, EXPLANATION_CODES.matched)!.basis, c.matchedBasis)
      t.match(item(c.d, EXPLANATION_CODES.timeLimit)!.basis, c.timeLimitBasis)
      t.ok(item(c.d, EXPLANATION_CODES.approvingAuthority), 'names who approves (or that nobody does)')
      if (c.authority !== null && c.route !== 'emergency_repair' && c.route !== 'special_approval') {
        t.match(item(c.d, EXPLANATION_CODES.approvingAuthority)!.basis, /第三十条/)
      }
      t.strictSame(JSON.parse(JSON.stringify(c.d)), c.d, 'plain JSON')
    })
  }
})

t.test('the "4+2+1+1" stages add up to the 8 working days', async (t) => {
  const d = decide(10_000, 50)
  t.strictSame(
    d.stages.map((s) => s.workingDays),
    [4, 2, 1, 1],
  )
  t.equal(
    d.stages.reduce((sum, s) => sum + s.workingDays, 0),
    d.timeLimit!.amount,
  )
  t.ok(d.stages.every((s) => s.name.length > 0))
  t.match(item(d, EXPLANATION_CODES.jointReviewStages)!.text, /joint_survey 4 \+ consultation 2 \+ decision 1 \+ issuance 1 = 8 working days/)
})

t.test('input outside the domain is refused', async (t) => {
  const bad: Array<[string, RouteInput]> = [
    ['0 V', input(0, 10)],
    ['negative voltage', input(-230, 10)],
    ['fractional volts', input(230.5, 10)],
    ['0 m', input(230, 0)],
    ['negative length', input(230, -1)],
    ['three decimals', input(230, 10.001)],
    ['floating noise', input(230, 0.1 + 0.2)],
    ['NaN', input(230, Number.NaN)],
    ['Infinity', input(Number.POSITIVE_INFINITY, 10)],
  ]
  for (const [name, value] of bad) {
    t.throws(() => decideRoute(DEFAULT_RULE_SET, value), RangeError, name)
  }
})

t.test('a rule set that cannot decide is reported, not guessed', async (t) => {
  const gap = structuredClone(DEFAULT_RULE_SET) as RuleSet
  gap.parameters.voltageTiers[1]!.min = { value: 500, inclusive: false }
  t.throws(() => decide(450, 10, {}, gap), /no voltage tier contains 450 V.*validateRuleSetParameters/)
})

/** A later notice that widens the fast track to under 80 m: only data changes. */
function fastTrackUnder80m(): RuleSet {
  const next = structuredClone(DEFAULT_RULE_SET) as RuleSet
  next.version = 2
  next.effectiveFrom = '2024-01-01'
  const [fast, joint] = next.parameters.voltageTiers[1]!.lengthBands
  fast!.max = { value: 80, inclusive: false, wording: '长度小于80米的', reading: '小于 excludes the number' }
  joint!.min = {
    value: 80,
    inclusive: true,
    wording: '长度大于80米的',
    reading: 'exactly 80 m is in neither band; an exemption from joint review is read strictly',
    decidedBy: 'boundary_rule',
  }
  next.parameters.routeTerms.find((r) => r.route === 'fast_track')!.timeLimit = { amount: 3, unit: 'working_days' }
  return next
}

t.test('a modified rule set changes decisions without code changes', async (t) => {
  const v2 = fastTrackUnder80m()
  t.strictSame(validateRuleSetParameters(v2.parameters), [])
  t.ok(ruleSetSchema.safeParse(v2).success)
  const table: Array<[number, number, Route, Route]> = [
    // volts, metres, under v1, under v2
    [10_000, 49.99, 'fast_track', 'fast_track'],
    [10_000, 50, 'joint_review', 'fast_track'],
    [10_000, 60, 'joint_review', 'fast_track'],
    [10_000, 79.99, 'joint_review', 'fast_track'],
    [10_000, 80, 'joint_review', 'joint_review'],
    [400, 200.01, 'joint_review', 'joint_review'],
    [35_000, 60, 'standard', 'standard'],
  ]
  for (const [volts, length, v1Route, v2Route] of table) {
    t.equal(decide(volts, length).route, v1Route, `v1: ${volts} V, ${length} m`)
    t.equal(decide(volts, length, {}, v2).route, v2Route, `v2: ${volts} V, ${length} m`)
  }
  t.strictSame(decide(10_000, 60, {}, v2).timeLimit, { amount: 3, unit: 'working_days' })
  const at80 = decide(10_000, 80, {}, v2)
  t.match(item(at80, EXPLANATION_CODES.lengthAtThreshold)!.text, /exactly 80 m is in neither band/)
  t.match(item(at80, EXPLANATION_CODES.lengthAtThreshold)!.basis, /rule set zz-green-channel v2/)
  t.notOk(item(decide(10_000, 50, {}, v2), EXPLANATION_CODES.lengthAtThreshold), '50 m is no longer a threshold')

  t.test('a different evaluation order is data too', async (t) => {
    const bandsFirst = structuredClone(DEFAULT_RULE_SET) as RuleSet
    bandsFirst.parameters.routeOrder = ['emergency_repair', 'commitment_filing', 'special_approval', 'fast_track', 'joint_review', 'standard']
    t.strictSame(validateRuleSetParameters(bandsFirst.parameters), [])
    t.equal(decide(230, 10, { roadProtected: true }, bandsFirst).route, 'commitment_filing')
    t.equal(decide(10_000, 10, { roadProtected: true }, bandsFirst).route, 'special_approval')
  })
})

t.test('selectRuleSet: the version in force on a date', async (t) => {
  const v1 = DEFAULT_RULE_SET
  const v2 = fastTrackUnder80m()
  const v3 = { ...structuredClone(v2), version: 3 } // a correction effective the same day as v2
  const v4 = { ...structuredClone(v2), version: 4, effectiveFrom: '2030-01-01' }
  const all = [v3, v1, v4, v2] // order must not matter
  const table: Array<[string, RuleSet | undefined]> = [
    ['2019-10-31', undefined],
    ['2019-11-01', v1],
    ['2023-12-31', v1],
    ['2024-01-01', v3],
    ['2029-12-31', v3],
    ['2030-01-01', v4],
    ['2099-01-01', v4],
  ]
  for (const [date, expected] of table) {
    t.equal(selectRuleSet(all, date), expected, date)
    t.equal(selectRuleSet([...all].reverse(), date), expected, `${date}, reversed`)
  }
  t.equal(selectRuleSet([], '2024-01-01'), undefined)
  t.throws(() => selectRuleSet(all, '2024-1-1'), RangeError)
  t.throws(() => selectRuleSet(all, '2024-02-30'), RangeError)

  // The same application is decided by the rules in force on its date.
  const on = (date: string) => decideRoute(selectRuleSet(all, date)!, input(10_000, 60)).route
  t.equal(on('2023-12-31'), 'joint_review')
  t.equal(on('2024-01-01'), 'fast_track')
})

t.test('DEFAULT_RULE_SET', async (t) => {
  t.ok(ruleSetSchema.safeParse(DEFAULT_RULE_SET).success, 'matches the schema')
  t.strictSame(validateRuleSetParameters(DEFAULT_RULE_SET.parameters), [], 'validates clean')
  t.equal(DEFAULT_RULE_SET.id, 'zz-green-channel')
  t.equal(DEFAULT_RULE_SET.version, 1)
  t.equal(DEFAULT_RULE_SET.effectiveFrom, '2019-11-01')
  t.strictSame(JSON.parse(JSON.stringify(DEFAULT_RULE_SET)), DEFAULT_RULE_SET, 'JSON round trip')
  t.throws(
    () => {
      ;(DEFAULT_RULE_SET.parameters.routeOrder as Route[]).push('standard')
    },
    TypeError,
    'frozen: a shared default cannot be changed by accident',
  )
})
