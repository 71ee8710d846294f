/**
 * The problem message catalogue (src/platform/errors/problem-catalogue.ts): every stable code has its title
 * and detail in English and in Simplified Chinese, no text is empty, and a template names the same params
 * in both languages. DomainError takes a ProblemCode (a code not in the catalogue does not compile); the codes
 * the error boundary writes itself are found in its source here, so a new one without Chinese fails this test.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { PROBLEM_CATALOGUE, placeholdersOf, problemText, type ProblemEntry } from '../../src/platform/errors/problem-catalogue.ts'
import { negotiateLocale } from '../../src/platform/i18n/locale-negotiation.ts'
import { issueMessage } from '../../src/platform/errors/issue-messages.ts'

const HAN = /\p{Script=Han}/u
const entries = Object.entries(PROBLEM_CATALOGUE) as Array<[string, ProblemEntry]>

t.test('every code has a title and a detail in both languages, none empty, the Chinese in Chinese', async (t) => {
  t.ok(entries.length >= 50, `${entries.length} codes`)
  for (const [code, entry] of entries) {
    for (const text of [entry.title, entry.detail, ...Object.values(entry.templates ?? {})]) {
      t.ok(text.en.trim().length > 0, `${code}: English present`)
      t.ok(text.zh.trim().length > 0, `${code}: Chinese present`)
      t.ok(HAN.test(text.zh), `${code}: "${text.zh}" is Chinese`)
    }
    t.same(placeholdersOf(entry.detail.zh), [], `${code}: the detail without params needs none`)
    for (const [name, template] of Object.entries(entry.templates ?? {})) {
      // A `…Zh` param is the Chinese name of the English one (a status, an action, a role).
      const en = new Set(placeholdersOf(template.en))
      const zh = new Set(placeholdersOf(template.zh).map((p) => (p.endsWith('Zh') ? p.slice(0, -2) : p)))
      t.same([...zh].sort(), [...en].sort(), `${code}.${name}: the same params in both languages`)
    }
  }
})

t.test('the codes the error boundary writes itself are all in the catalogue', async (t) => {
  const source = readFileSync(new URL('../../src/platform/errors/errors.plugin.ts', import.meta.url), 'utf8')
  const written = [...source.matchAll(/problem\(\s*request,\s*\d{3},\s*'([a-z_]+)'/g), ...source.matchAll(/\[\d{3}, '([a-z_]+)'/g)].map((m) => m[1] as string)
  t.ok(written.length >= 12, written.join(' '))
  for (const code of new Set(written)) t.ok(Object.hasOwn(PROBLEM_CATALOGUE, code), `${code} is in the catalogue`)
})

t.test('problemText: English as raised; Chinese from the template with params, else the code’s own detail', async (t) => {
  const english = { title: 'Not found', detail: 'No case x is visible to this API key.' }
  t.same(problemText('en', 'case_not_found', english, { id: 'x' }, 'id'), english)
  t.same(problemText('zh-CN', 'case_not_found', english, { id: 'x' }, 'id'), { title: '案件不存在', detail: '案件 x 不存在，或本 API 密钥无权查看。' })
  t.same(problemText('zh-CN', 'case_not_found', english, {}, 'id'), { title: '案件不存在', detail: '案件不存在，或本 API 密钥无权查看。' }, 'a missing param: the plain detail')
  t.equal(problemText('zh-CN', 'fst_err_something', english).title, '请求有误', 'an unknown framework code: the generic entry')
})

t.test('negotiateLocale: en by default, zh-CN when a Simplified Chinese range is preferred (q-values)', async (t) => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'en'],
    ['', 'en'],
    ['fr', 'en'],
    ['de-DE, fr;q=0.9', 'en'],
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-cn', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-TW', 'en'],
    ['zh-Hant', 'en'],
    ['en;q=0.9, zh-CN;q=1', 'zh-CN'],
    ['zh-CN;q=0.5, en', 'en'],
    ['en, zh-CN', 'en'],
    ['zh-CN, en', 'zh-CN'],
    ['zh-CN;q=0, en;q=0.1', 'en'],
    ['fr, zh;q=0.2', 'zh-CN'],
    ['*', 'en'],
    ['zh-CN;q=abc', 'en'],
  ]
  for (const [header, locale] of cases) t.equal(negotiateLocale(header), locale, String(header))
  t.equal(negotiateLocale(['fr', 'zh-CN;q=0.8']), 'zh-CN', 'repeated header lines')
})

t.test('issueMessage: zod issues re-rendered with zod’s zh-CN locale, the service’s own messages from the table', async (t) => {
  t.equal(issueMessage('en', 'required'), 'required')
  t.equal(issueMessage('zh-CN', 'required'), '必填项')
  t.equal(issueMessage('zh-CN', 'unknown field `x`'), '未知字段 `x`')
  t.equal(issueMessage('zh-CN', 'the geometry crosses itself on the side starting here: it must be simple'), '图形在起于此处的边上自相交：图形不得自相交')
  t.equal(issueMessage('zh-CN', '2026-02-16 is a Monday; a make-up workday must fall on a Saturday or Sunday'), '2026-02-16不是周末：调休上班日须为周六或周日')
  t.equal(issueMessage('zh-CN', 'an unlisted message'), 'an unlisted message', 'an unlisted message stays as it is')
  const tooSmall = issueMessage('zh-CN', 'Too small: expected number to be >0', {
    code: 'too_small',
    params: { origin: 'number', minimum: 0, inclusive: false },
    input: -1,
    path: ['voltageVolts'],
  })
  t.ok(HAN.test(tooSmall), tooSmall)
  const type = issueMessage('zh-CN', 'Invalid input: expected number, received string', { code: 'invalid_type', params: { expected: 'number' }, input: 'x', path: ['v'] })
  t.match(type, /期望 数字/)
})
