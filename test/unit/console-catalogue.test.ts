/**
 * The console's message catalogue (console/src/i18n): every key in both languages, no blank text, the same
 * placeholders in both, and each key in one module only (issue 12: "no missing key in either language").
 */
import t from 'tap'
import { catalogue, catalogueModules, LOCALES } from '../../console/src/i18n/catalogue/index.ts'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()

t.test('both languages have exactly the same keys, none blank, with the same placeholders', async (t) => {
  const zh = catalogue['zh-CN']
  const en = catalogue.en
  t.same(Object.keys(en).sort(), Object.keys(zh).sort(), 'the same keys in English and Chinese')
  t.ok(Object.keys(zh).length > 20, 'the catalogue is not empty')
  for (const locale of LOCALES) {
    for (const [key, text] of Object.entries(catalogue[locale])) {
      if (text.trim() === '') t.fail(`${locale} ${key} is blank`)
    }
  }
  for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
    if (JSON.stringify(placeholders(zh[key])) !== JSON.stringify(placeholders(en[key] ?? ''))) t.fail(`${key}: placeholders differ (${zh[key]} / ${en[key]})`)
  }
})

t.test('a key is defined by one module only, in both its languages', async (t) => {
  const owner = new Map<string, number>()
  catalogueModules.forEach((module, index) => {
    t.same(Object.keys(module.en).sort(), Object.keys(module['zh-CN']).sort(), `module ${index}: same keys in both languages`)
    for (const key of Object.keys(module['zh-CN'])) {
      if (owner.has(key)) t.fail(`${key} is defined in modules ${owner.get(key)} and ${index}`)
      owner.set(key, index)
    }
  })
})

t.test('Chinese texts are Chinese: each zh-CN text that has letters has Han characters', async (t) => {
  // Codes and units may stay Latin (e.g. "API", "kV"); a text with Latin words only is an untranslated one. The one
  // exception is the switch to English, which names its language in that language.
  const intentionallyLatin = new Set(['lang.switch'])
  const untranslated = Object.entries(catalogue['zh-CN']).filter(
    ([key, text]) => !intentionallyLatin.has(key) && /[A-Za-z]{4,}/.test(text.replace(/\{\w+\}/g, '')) && !/\p{Script=Han}/u.test(text),
  )
  t.same(untranslated, [], 'no zh-CN text is English only')
})
