/**
 * The signed-in key lives in sessionStorage only: never in a URL, a cookie, localStorage or a log (issue 12). It is
 * gone when the tab closes; signing out removes it at once.
 */
const KEY = 'gc.apiKey'

export const session = {
  apiKey(): string | null {
    return globalThis.sessionStorage?.getItem(KEY) ?? null
  },
  signIn(apiKey: string): void {
    sessionStorage.setItem(KEY, apiKey)
  },
  signOut(): void {
    sessionStorage.removeItem(KEY)
  },
}
