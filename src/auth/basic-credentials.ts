/** The user and password of an HTTP Basic Authorization header (RFC 7617), or undefined. */
export function parseBasicAuthorization(header: string | undefined): { readonly user: string; readonly password: string } | undefined {
  if (header === undefined) return undefined
  const match = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header)
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  // Client credentials are form-urlencoded before Basic encoding (RFC 6749 §2.3.1).
  const decode = (text: string): string | undefined => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '))
    } catch {
      return undefined
    }
  }
  const user = decode(decoded.slice(0, colon))
  const password = decode(decoded.slice(colon + 1))
  return user === undefined || password === undefined ? undefined : { user, password }
}
