/** Sign-in with an API key: `input[name=apiKey]`, kept in sessionStorage only, checked against GET /v1/api-keys/me. */
import { useState } from 'preact/hooks'
import { ProblemView } from '../components/problem-view.tsx'
import { useI18n } from '../i18n/i18n.ts'
import { session } from '../lib/session.ts'

export function SignIn({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const { t } = useI18n()
  const [apiKey, setApiKey] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  async function submit(event: Event) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    session.signIn(apiKey.trim())
    try {
      await onSignedIn()
    } catch (cause) {
      session.signOut()
      setError(cause)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="sign-in">
      <h1>{t('app.title')}</h1>
      <p class="muted">{t('app.subtitle')}</p>
      {/* method=post and no action: the key is never put into a URL, even if scripts fail. */}
      <form method="post" onSubmit={submit} aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{t('signIn.title')}</h2>
        <p>{t('signIn.intro')}</p>
        <label for="apiKey">{t('signIn.apiKey')}</label>
        <input id="apiKey" name="apiKey" type="password" autocomplete="off" spellcheck={false} required value={apiKey} onInput={(event) => setApiKey(event.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
        {error !== null && <ProblemView error={error} />}
      </form>
    </main>
  )
}
