import { useState } from 'preact/hooks'
import { tokenAccepted } from '../api.js'
import { Field, FormError } from './field.js'

/** The admin token, asked once per tab; kept in session storage by the caller, never put in a URL. */
export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [failure, setFailure] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setError(undefined)
    setFailure(undefined)
    if (token.trim() === '') return setError('Enter the admin token the server was started with.')
    setBusy(true)
    try {
      if (await tokenAccepted(token.trim())) onSignedIn(token.trim())
      else setError('The server refused this token (401 ADMIN_UNAUTHORIZED).')
    } catch (e) {
      setFailure(`The server could not be asked: ${(e as Error).message}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="sign-in">
      <h1>Waymark console</h1>
      <p>
        Sign in with the server’s admin token (<code>--admin-token</code> or <code>WAYMARK_ADMIN_TOKEN</code>). It stays in this tab’s session
        storage until you sign out or close the tab.
      </p>
      <form onSubmit={submit} noValidate>
        <FormError message={failure} />
        {/* For password managers: the token is the password of a user they can name. */}
        <input type="text" name="username" autoComplete="username" value="waymark-admin" readOnly hidden />
        <Field id="admin-token" label="Admin token" error={error}>
          {(aria) => (
            <input
              {...aria}
              type="password"
              name="admin-token"
              autoComplete="current-password"
              autoFocus
              value={token}
              onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
