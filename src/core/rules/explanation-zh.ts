/**
 * The Simplified Chinese phrasing of decision explanations (route-decision.ts). The structure of an
 * explanation (its items, codes and citations) is the same in every language; only `text` differs. Names from
 * a rule set's data are written in both languages there ("fast track without joint review (免联合会审)"): the
 * Chinese part is used. Legal text is quoted as it stands (it is Chinese).
 */
import type { Bound, Dimension } from './rule-set.schema.ts'

/** The Chinese part of a bilingual name: the text in (full- or half-width) brackets, or a leading Chinese word. */
export function chinesePart(name: string): string | undefined {
  const bracketed = /[（(]([^（）()]*\p{Script=Han}[^（）()]*)[)）]/u.exec(name)
  if (bracketed) return bracketed[1]
  const han = /\p{Script=Han}[^(),;，；（）]*/u.exec(name)
  return han ? han[0].trim() : undefined
}

/** A bilingual text without its English gloss: "县级以上城市人民政府 (city people's government …)" → "县级以上城市人民政府". */
export function withoutEnglishGloss(text: string): string {
  if (!/\p{Script=Han}/u.test(text)) return text
  return text.replace(/\s*\([^()（）\p{Script=Han}]*\)/gu, '').trim()
}

/** The voltage tiers of the shipped rule sets, by name; another tier's name is used as it stands. */
const TIER_NAMES_ZH: Readonly<Record<string, string>> = { 'low-voltage': '低压', 'distribution-voltage': '中压配电', 'high-voltage': '高压' }

export function tierNameZh(name: string): string {
  return TIER_NAMES_ZH[name] ?? chinesePart(name) ?? name
}

/** A route as an official reads it: its Chinese name with the stable key, e.g. 免联合会审（fast_track）. */
export function routeZh(route: string, name: string | undefined): string {
  const zh = name === undefined ? undefined : chinesePart(name)
  return zh === undefined ? route : `${zh}（${route}）`
}

export function quantityZh(dimension: Dimension, x: number): string {
  if (dimension === 'length') return `${x}米`
  return x >= 1000 && x % 1000 === 0 ? `${x / 1000}千伏` : `${x}伏`
}

/** e.g. "400伏以上、10千伏及以下", "50米及以上", "任意长度". */
export function intervalZh(dimension: Dimension, min: Bound, max: Bound | null): string {
  const parts: string[] = []
  if (!(min.value === 0 && !min.inclusive)) parts.push(`${quantityZh(dimension, min.value)}${min.inclusive ? '及以上' : '以上'}`)
  if (max !== null) parts.push(`${quantityZh(dimension, max.value)}${max.inclusive ? '及以下' : '以下'}`)
  return parts.length === 0 ? (dimension === 'length' ? '任意长度' : '任意电压') : parts.join('、')
}

export const FACTS_ZH = {
  emergency: { yes: '该工程属于紧急抢修（emergency: true）', no: '该工程不属于紧急抢修（emergency: false）' },
  roadProtected: { yes: '该道路处于保护期内（roadProtected: true）', no: '该道路不在保护期内（roadProtected: false）' },
} as const

export const FIRST_MATCH_ZH = '按规则顺序首条适用者优先，其后规则不再适用，与电压、长度无关。'
