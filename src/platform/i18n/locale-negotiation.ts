import { DEFAULT_LOCALE, type Locale } from '../../core/i18n/locale.ts'

/**
 * The locale an Accept-Language header prefers (RFC 9110 §12.5.4, basic filtering of RFC 4647 §3.3.1):
 * `zh-CN` when a Chinese range (`zh`, `zh-CN`, `zh-Hans`, `zh-Hans-CN`, …) has a higher q than every
 * English one, `en` otherwise; `*` counts for English, the default, and ranges naming neither (`fr`) are
 * ignored. A traditional-script or non-mainland range (`zh-TW`, `zh-Hant`, `zh-HK`) is not answered in
 * Simplified Chinese. Ties go to the earlier range in the header, then to English.
 */
export function negotiateLocale(acceptLanguage: string | string[] | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage
  if (header === undefined || header.trim() === '') return DEFAULT_LOCALE
  let best: { locale: Locale; q: number } = { locale: DEFAULT_LOCALE, q: 0 }
  for (const part of header.split(',')) {
    const [range, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase())
    if (!range || !/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(range)) continue
    const qParameter = parameters.find((p) => p.startsWith('q='))
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2))
    if (!Number.isFinite(q) || q <= 0) continue
    const locale = localeOfRange(range)
    if (locale !== undefined && Math.min(1, q) > best.q) best = { locale, q: Math.min(1, q) }
  }
  return best.locale
}

const SIMPLIFIED_CHINESE = /^zh(-(cn|sg|hans|hans-[a-z0-9]+|cmn|cmn-hans|cmn-hans-[a-z0-9]+))?$/
function localeOfRange(range: string): Locale | undefined {
  if (SIMPLIFIED_CHINESE.test(range)) return 'zh-CN'
  if (range === 'en' || range.startsWith('en-') || range === '*') return 'en'
  return undefined
}
