/**
 * The languages people read the service's answers in. English is the default (integrations switch on codes,
 * not text); zh-CN is asked for with `Accept-Language`. The core receives the locale as data and never
 * negotiates it.
 */
export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'en'

/** A text in both languages. */
export interface Localized {
  en: string
  zh: string
}
