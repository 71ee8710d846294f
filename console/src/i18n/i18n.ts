/**
 * The current language and the translate function. zh-CN is the default (the console's users are Chinese public
 * servants and engineers); the choice is remembered in localStorage and sent to the API as Accept-Language, so the
 * API's explanations and problem texts come in the same language.
 */
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { catalogue, LOCALES, type Locale, type MessageKey } from './catalogue/index.ts'

const STORAGE_KEY = 'gc.locale'

export function initialLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY)
  return (LOCALES as readonly string[]).includes(stored ?? '') ? (stored as Locale) : 'zh-CN'
}

export function rememberLocale(locale: Locale): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}

export type Params = Record<string, string | number>

/** `{name}` placeholders are replaced by the parameter of that name. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const template = catalogue[locale][key] ?? catalogue['zh-CN'][key] ?? key
  return params ? template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : template
}

export interface I18n {
  locale: Locale
  t: (key: MessageKey, params?: Params) => string
  setLocale: (locale: Locale) => void
  /** Numbers and dates as the language writes them. */
  formatNumber: (value: number, options?: Intl.NumberFormatOptions) => string
}

export const I18nContext = createContext<I18n>({
  locale: 'zh-CN',
  t: (key, params) => translate('zh-CN', key, params),
  setLocale: () => {},
  formatNumber: (value) => String(value),
})

export function useI18n(): I18n {
  return useContext(I18nContext)
}

export type { Locale, MessageKey }
