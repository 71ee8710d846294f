/**
 * Hash routing (#/cases/…): the service serves one index.html at /console/, and a hash never reaches the server or
 * its logs. Routes are matched in order; `:name` segments become parameters.
 */
import { useEffect, useState } from 'preact/hooks'

export interface RouteMatch {
  name: string
  params: Record<string, string>
}

export function matchRoute(hash: string, patterns: readonly (readonly [name: string, pattern: string])[]): RouteMatch | null {
  const [pathPart, queryPart] = hash.replace(/^#/, '').split('?')
  const segments = (pathPart || '/').split('/').filter(Boolean)
  for (const [name, pattern] of patterns) {
    const expected = pattern.split('/').filter(Boolean)
    if (expected.length !== segments.length) continue
    const params: Record<string, string> = {}
    const matched = expected.every((part, index) => {
      const actual = segments[index] as string
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeURIComponent(actual)
        return true
      }
      return part === actual
    })
    if (matched) {
      for (const [key, value] of new URLSearchParams(queryPart ?? '')) params[key] = value
      return { name, params }
    }
  }
  return null
}

export function useHash(): string {
  const [hash, setHash] = useState(globalThis.location?.hash ?? '')
  useEffect(() => {
    const update = () => setHash(location.hash)
    addEventListener('hashchange', update)
    return () => removeEventListener('hashchange', update)
  }, [])
  return hash
}

export function navigate(hash: string): void {
  location.hash = hash
}

/** A link target for a route, e.g. href('cases', id) → "#/cases/<id>". */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`
}
