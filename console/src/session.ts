/**
 * The admin token lives in this tab's session storage only: gone when the tab closes, never in a URL,
 * never in local storage or a cookie (so never sent anywhere but in the admin API's Authorization header).
 */
const KEY = 'waymark.adminToken'

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined
  } catch {
    return undefined
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token)
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY)
}

/** A preference of this tab (e.g. the staleness threshold), also in session storage. */
export function sessionPreference(name: string, fallback: string): string {
  try {
    return sessionStorage.getItem(`waymark.${name}`) ?? fallback
  } catch {
    return fallback
  }
}

export function setSessionPreference(name: string, value: string): void {
  sessionStorage.setItem(`waymark.${name}`, value)
}
