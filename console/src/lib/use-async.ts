/**
 * Loads data for a screen and reloads it on demand; the latest call wins when inputs change quickly. It also loads
 * again when the console's language changes: the API answers explanations and other texts in the language asked
 * for (Accept-Language), so data read in one language must not stay on screen in the other.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { useI18n } from '../i18n/i18n.ts'

export interface AsyncState<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true })
  const generation = useRef(0)
  const { locale } = useI18n()
  const run = useCallback(() => {
    const mine = ++generation.current
    setState((previous) => ({ ...previous, loading: true, error: undefined }))
    load().then(
      (data) => mine === generation.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => mine === generation.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    )
  }, [...deps, locale])
  useEffect(run, [run])
  return { ...state, reload: run }
}
