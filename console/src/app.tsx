import { useMemo, useState } from 'preact/hooks'
import { adminApi, type Api } from './api.js'
import { AccessPage } from './components/access-page.js'
import { CurlKeyContext, type CurlKey } from './components/checkpoint-detail.js'
import { ClockControl, ServerTimeContext, useServerClock } from './components/clock.js'
import { ClusterPage } from './components/cluster-page.js'
import { Overview } from './components/overview.js'
import { SignIn } from './components/sign-in.js'
import { RefreshContext } from './poll.js'
import { href, useRoute } from './route.js'
import { forgetToken, storedToken, storeToken } from './session.js'

/** Signed in or not: the token is the whole session. */
export function App() {
  const [token, setToken] = useState(storedToken)
  const [notice, setNotice] = useState<string | undefined>(undefined)
  if (token === undefined) {
    return (
      <>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <SignIn
          onSignedIn={(t) => {
            storeToken(t)
            setNotice(undefined)
            setToken(t)
          }}
        />
      </>
    )
  }
  const signOut = (message: string) => {
    forgetToken()
    setNotice(message)
    setToken(undefined)
  }
  return <Console token={token} signOut={signOut} />
}

function Console({ token, signOut }: { token: string; signOut: (message: string) => void }) {
  const api: Api = useMemo(() => adminApi(token, () => signOut('The server no longer accepts the token (it was restarted with another?): sign in again.')), [token])
  const [version, setVersion] = useState(0)
  const refresh = useMemo(() => ({ version, changed: () => setVersion((v) => v + 1) }), [version])
  const [curlKey, setCurlKey] = useState<CurlKey | undefined>(undefined)
  const curl = useMemo(() => ({ key: curlKey, set: setCurlKey }), [curlKey])
  return (
    <RefreshContext.Provider value={refresh}>
      <CurlKeyContext.Provider value={curl}>
        <Signed api={api} signOut={signOut} />
      </CurlKeyContext.Provider>
    </RefreshContext.Provider>
  )
}

function Signed({ api, signOut }: { api: Api; signOut: (message: string) => void }) {
  const route = useRoute()
  const time = useServerClock(api)
  return (
    <ServerTimeContext.Provider value={time}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to the content
      </a>
      <header class="top">
        <p class="brand">
          <a href={href({ page: 'overview' })}>Waymark console</a>
        </p>
        <nav aria-label="Console">
          <a href={href({ page: 'overview' })} aria-current={route.page !== 'access' ? 'page' : undefined}>
            Clusters
          </a>
          <a href={href({ page: 'access' })} aria-current={route.page === 'access' ? 'page' : undefined}>
            Access
          </a>
        </nav>
        <ClockControl api={api} time={time} />
        <button type="button" class="sign-out" onClick={() => signOut('Signed out: the token was removed from this tab.')}>
          Sign out
        </button>
      </header>
      {route.page === 'cluster' ? (
        <ClusterPage key={route.clusterId} api={api} groupId={route.groupId} clusterId={route.clusterId} checkpointId={route.checkpointId} />
      ) : route.page === 'access' ? (
        <AccessPage api={api} />
      ) : (
        <Overview api={api} />
      )}
    </ServerTimeContext.Provider>
  )
}
