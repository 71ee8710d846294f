/**
 * Decision and deadline explanations in zh-CN (pure core): the structure is the one of the English explanation —
 * the same items, codes and citations, the same days and kinds — and only the text differs, in Chinese.
 */
import t from 'tap'
import { explainDeadline } from '../../../src/core/calendar/deadline-explanation.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import { decisionExplanationIn } from '../../../src/core/rules/decision-explanation.ts'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { DEFAULT_GEOGRAPHY } from '../../../src/core/rules/geography.ts'
import { checkLength } from '../../../src/core/rules/length-check.ts'
import { decideRoute, type RouteInput, type WorksFacts } from '../../../src/core/rules/route-decision.ts'

const HAN = /\p{Script=Han}/u
/** English prose: words of four letters or more that are not a route key, a field name or a unit. */
const ENGLISH_PROSE = /\b(?!joint_review|fast_track|commitment_filing|emergency_repair|special_approval|standard|emergency|roadProtected|false|true)[A-Za-z]{4,}\b/

const protectedRoad = {
  code: 'ZZ-LW-0001',
  name: '水仙大街',
  class: 'arterial' as const,
  protection: { period: 'new_or_reconstructed', from: 'builtOn' as const, since: '2024-05-01', until: '2029-04-30', citation: '城市道路管理条例 第三十三条' },
}
const inputs: Array<[string, RouteInput, WorksFacts | undefined]> = [
  ['10 kV, exactly 50 m', { voltageVolts: 10000, excavationLengthMeters: 50, emergency: false, roadProtected: false }, undefined],
  ['400 V, 200 m', { voltageVolts: 400, excavationLengthMeters: 200, emergency: false, roadProtected: false }, undefined],
  ['400 V, 200.01 m falls through', { voltageVolts: 400, excavationLengthMeters: 200.01, emergency: false, roadProtected: false }, undefined],
  ['110 kV', { voltageVolts: 110000, excavationLengthMeters: 10, emergency: false, roadProtected: false }, undefined],
  ['emergency', { voltageVolts: 110000, excavationLengthMeters: 900, emergency: true, roadProtected: true }, undefined],
  [
    'measured longer than declared',
    { voltageVolts: 10000, excavationLengthMeters: 45, emergency: false, roadProtected: false },
    { plannedStartDate: '2026-03-02', lengthCheck: checkLength(45, 60, DEFAULT_GEOGRAPHY.lengthTolerance), roads: [], restrictions: [] },
  ],
  [
    'no geometry',
    { voltageVolts: 10000, excavationLengthMeters: 20, emergency: false, roadProtected: false },
    { plannedStartDate: '2026-03-02', lengthCheck: null, roads: [], restrictions: [] },
  ],
  [
    'a register road in its protection period',
    { voltageVolts: 380, excavationLengthMeters: 20, emergency: false, roadProtected: false },
    { plannedStartDate: '2026-03-02', lengthCheck: null, roads: [protectedRoad], restrictions: [] },
  ],
]

t.test('decision explanations: same items, codes and citations; every text in Chinese', async (t) => {
  for (const [label, input, facts] of inputs) {
    const en = decideRoute(DEFAULT_RULE_SET, input, facts)
    const zh = decideRoute(DEFAULT_RULE_SET, input, facts, 'zh-CN')
    const { explanation: enItems, ...enRest } = en
    const { explanation: zhItems, ...zhRest } = zh
    t.same(zhRest, enRest, `${label}: the decision is the same`)
    t.same(
      zhItems.map((i) => [i.code, i.basis]),
      enItems.map((i) => [i.code, i.basis]),
      `${label}: same structure`,
    )
    for (const item of zhItems) {
      t.ok(HAN.test(item.text), `${label}: ${item.text}`)
      t.notMatch(item.text, ENGLISH_PROSE, `${label}: no English prose in ${item.text}`)
    }
    t.same(decideRoute(DEFAULT_RULE_SET, input, facts, 'en'), en, `${label}: en is the default`)
  }
})

t.test('a stored decision in zh-CN: made again only when it is the same explanation, else the stored text', async (t) => {
  const input: RouteInput = { voltageVolts: 10000, excavationLengthMeters: 50, emergency: false, roadProtected: false }
  const application = { input, plannedStartDate: '2026-03-02', plannedEndDate: '2026-03-10', lengthCheck: null, roads: [] }
  const stored = decideRoute(DEFAULT_RULE_SET, input, { plannedStartDate: '2026-03-02', lengthCheck: null, roads: [], restrictions: [] })
  const zh = decisionExplanationIn('zh-CN', stored, DEFAULT_RULE_SET, application)
  t.same(
    zh.map((i) => i.code),
    stored.explanation.map((i) => i.code),
  )
  t.ok(zh.every((i) => HAN.test(i.text)))
  t.equal(decisionExplanationIn('en', stored, DEFAULT_RULE_SET, application), stored.explanation, 'en: as stored')
  t.equal(decisionExplanationIn('zh-CN', stored, undefined, application), stored.explanation, 'rule set gone: as stored')
  const oldCase = decideRoute(DEFAULT_RULE_SET, input)
  t.ok(
    decisionExplanationIn('zh-CN', oldCase, DEFAULT_RULE_SET, application).every((i) => HAN.test(i.text)),
    'decided without facts: made again without them',
  )
  const edited = { ...stored, explanation: stored.explanation.map((item, i) => (i === 2 ? { ...item, basis: 'another citation' } : item)) }
  t.equal(decisionExplanationIn('zh-CN', edited, DEFAULT_RULE_SET, application), edited.explanation, 'another structure: as stored')
})

t.test('deadline explanations in zh-CN: the same days, Chinese reasons, a pause named with its legal basis', async (t) => {
  const SF = '春节 Spring Festival'
  const spring = ['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23']
  const calendar = new WorkingDayCalendar([
    {
      year: 2026,
      holidays: spring,
      makeupWorkdays: ['2026-02-14', '2026-02-28'],
      source: 'test',
      holidayNames: Object.fromEntries(spring.map((d) => [d, SF])),
      makeupWorkdayNames: { '2026-02-14': SF, '2026-02-28': SF },
    },
  ])
  const pauses = [{ from: '2026-02-25', to: '2026-02-27', reason: '补正材料' }]
  const en = explainDeadline(calendar, '2026-02-12', 8, pauses)
  const zh = explainDeadline(calendar, '2026-02-12', 8, pauses, 'zh-CN')
  const { days: enDays, summary: enSummary, dueDateNote: _e, ...enRest } = en
  const { days: zhDays, summary: zhSummary, dueDateNote: _z, ...zhRest } = zh
  t.same(zhRest, enRest, 'the same dates, counts and data')
  t.same(
    zhDays.map(({ reason: _, ...day }) => day),
    enDays.map(({ reason: _, ...day }) => day),
  )
  for (const day of zhDays) t.notMatch(day.reason, /[A-Za-z]{3,}/, `${day.date}: ${day.reason}`)
  t.equal(zhDays.find((d) => d.date === '2026-02-26')?.reason, '暂停计时：补正材料（《中华人民共和国行政许可法》第四十五条）')
  t.match(zhSummary, /^2026-02-12（当日不计）后第8个工作日为/)
  t.notMatch(zhSummary, /working/)
  t.match(enSummary, /working day/)
  const open = explainDeadline(calendar, '2026-02-12', 8, [{ from: '2026-02-13', to: null }], 'zh-CN')
  t.equal(open.summary, '从2026-02-12起第8个工作日：计时暂停中，截止日待恢复后确定。')
})
