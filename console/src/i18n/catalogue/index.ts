/**
 * The console's message catalogue: one module per screen, each with both languages side by side, merged here.
 * `satisfies Record<Key, string>` in each module makes a key missing in English a type error; the unit test
 * test/unit/console-catalogue.test.ts checks the merged catalogue at run time too (keys, placeholders, no blanks).
 */
import { caseMessages } from './case.ts'
import { commonMessages } from './common.ts'
import { mapMessages } from './map.ts'
import { permitMessages } from './permit.ts'
import { submitMessages } from './submit.ts'
import { supervisionMessages } from './supervision.ts'
import { worklistMessages } from './worklist.ts'

const modules = [commonMessages, worklistMessages, caseMessages, submitMessages, supervisionMessages, mapMessages, permitMessages] as const

type ZhOf<M> = M extends { 'zh-CN': infer Z } ? Z : never
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never
type Merged = UnionToIntersection<ZhOf<(typeof modules)[number]>>

export type MessageKey = keyof Merged & string
export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

export const catalogue: Record<Locale, Record<MessageKey, string>> = {
  'zh-CN': Object.assign({}, ...modules.map((module) => module['zh-CN'])),
  en: Object.assign({}, ...modules.map((module) => module.en)),
}

/** Each module's keys, so the test can also tell which module a stray key is in. */
export const catalogueModules: readonly { 'zh-CN': Record<string, string>; en: Record<string, string> }[] = modules
