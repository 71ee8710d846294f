/**
 * The console shell: language, identity, navigation and the screen of the current hash route. A screen appears in
 * the navigation, and opens, only when the key's role may call the operation it needs.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import { ApiProblem, setApiLanguage } from './api/client.ts'
import { ProblemView } from './components/problem-view.tsx'
import { I18nContext, initialLocale, rememberLocale, translate, type I18n, type Locale, type MessageKey } from './i18n/i18n.ts'
import { IdentityContext, loadIdentity, type Identity } from './lib/identity.ts'
import { href, matchRoute, navigate, useHash } from './lib/router.ts'
import { session } from './lib/session.ts'
import { CaseScreen } from './screens/case.tsx'
import { MapScreen } from './screens/map.tsx'
import { PermitScreen } from './screens/permit.tsx'
import { SignIn } from './screens/sign-in.tsx'
import { SubmitScreen } from './screens/submit.tsx'
import { SupervisionScreen } from './screens/supervision.tsx'
import { WorklistScreen } from './screens/worklist.tsx'

/** Each screen: its route, the operation the key needs for it, and (if it is in the navigation) its label. */
const SCREENS = [
  { name: 'worklist', pattern: '/worklist', needs: 'GET /v1/worklist', nav: 'nav.worklist' },
  { name: 'submit', pattern: '/submit', needs: 'POST /v1/cases', nav: 'nav.submit' },
  { name: 'supervision', pattern: '/supervision', needs: 'GET /v1/reports/sla', nav: 'nav.supervision' },
  { name: 'map', pattern: '/map', needs: 'GET /v1/works', nav: 'nav.map' },
  { name: 'case', pattern: '/cases/:id', needs: 'GET /v1/cases/{id}', nav: null },
  { name: 'permit', pattern: '/cases/:id/permit', needs: 'GET /v1/cases/{id}', nav: null },
] as const satisfies readonly { name: string; pattern: string; needs: string; nav: MessageKey | null }[]

type ScreenName = (typeof SCREENS)[number]['name']

function Screen({ name, params }: { name: ScreenName; params: Record<string, string> }) {
  switch (name) {
    case 'worklist':
      return <WorklistScreen params={params} />
    case 'submit':
      return <SubmitScreen />
    case 'supervision':
      return <SupervisionScreen />
    case 'map':
      return <MapScreen />
    case 'case':
      return <CaseScreen id={params.id as string} />
    case 'permit':
      return <PermitScreen id={params.id as string} />
  }
}

export function App() {
  const [locale, setLocaleState] = useState<Locale>(initialLocale)
  const [identity, setIdentity] = useState<Identity | null>(null)
  const [identityError, setIdentityError] = useState<unknown>(null)
  const [checking, setChecking] = useState(session.apiKey() !== null)
  const hash = useHash()

  const i18n = useMemo<I18n>(() => {
    setApiLanguage(locale)
    const numbers = new Intl.NumberFormat(locale)
    return {
      locale,
      t: (key, params) => translate(locale, key, params),
      setLocale: (next) => {
        rememberLocale(next)
        setLocaleState(next)
      },
      formatNumber: (value, options) => (options ? new Intl.NumberFormat(locale, options) : numbers).format(value),
    }
  }, [locale])

  useEffect(() => {
    rememberLocale(locale)
    document.title = `${i18n.t('app.title')} · ${i18n.t('app.subtitle')}`
  }, [locale, i18n])

  const signIn = useCallback(async () => {
    setIdentity(await loadIdentity())
  }, [])

  // A key kept from earlier in this tab's session is checked again on load; a revoked one signs out.
  useEffect(() => {
    if (!session.apiKey()) return
    loadIdentity()
      .then(setIdentity, (error: unknown) => {
        if (error instanceof ApiProblem && error.status === 401) session.signOut()
        else setIdentityError(error)
      })
      .finally(() => setChecking(false))
  }, [])

  const allowed = identity ? SCREENS.filter((screen) => identity.can(screen.needs)) : []
  const patterns = SCREENS.map((screen) => [screen.name, screen.pattern] as const)
  const match = matchRoute(hash, patterns)
  const current = match ? SCREENS.find((screen) => screen.name === match.name) : undefined

  // The first screen after sign-in: the worklist for the office, else the first screen the role may use.
  useEffect(() => {
    if (identity && !match && allowed[0]) navigate(href(...allowed[0].pattern.split('/').filter(Boolean)))
  }, [identity, match, allowed])

  function signOut() {
    session.signOut()
    setIdentity(null)
    navigate('#/')
  }

  let body
  if (checking && !identity) body = <p class="loading">{i18n.t('common.loading')}</p>
  else if (!identity) body = identityError ? <ProblemView error={identityError} /> : <SignIn onSignedIn={signIn} />
  else
    body = (
      <IdentityContext.Provider value={identity}>
        <header class="top">
          <div class="brand">
            <strong>{i18n.t('app.title')}</strong>
            <span class="muted">{i18n.t('app.subtitle')}</span>
          </div>
          <nav aria-label={i18n.t('nav.main')}>
            {allowed
              .filter((screen) => screen.nav)
              .map((screen) => (
                <a key={screen.name} href={href(screen.pattern.slice(1))} aria-current={current?.name === screen.name ? 'page' : undefined}>
                  {i18n.t(screen.nav as MessageKey)}
                </a>
              ))}
          </nav>
          <div class="who">
            <span>{i18n.t('signIn.signedInAs', { role: i18n.t(`role.${identity.role}`) })}</span>
            <button type="button" onClick={signOut}>
              {i18n.t('nav.signOut')}
            </button>
          </div>
        </header>
        <main id="main">
          {!match ? (
            allowed.length === 0 ? (
              <p>{i18n.t('common.forbidden')}</p>
            ) : null
          ) : current && !identity.can(current.needs) ? (
            <p role="alert">{i18n.t('common.forbidden')}</p>
          ) : (
            <Screen name={match.name as ScreenName} params={match.params} />
          )}
        </main>
      </IdentityContext.Provider>
    )

  return (
    <I18nContext.Provider value={i18n}>
      <div class="lang">
        <button type="button" data-testid="language-switch" aria-label={i18n.t('lang.switchLabel')} onClick={() => i18n.setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}>
          {i18n.t('lang.switch')}
        </button>
      </div>
      {body}
    </I18nContext.Provider>
  )
}
