// HTTP Digest (RFC 2617, MD5, qop=auth) as the load generator's clients send it. The load generator is
// its own program, so it signs requests itself rather than importing Waymark's test helpers.
import { createHash } from 'node:crypto'

const REALM = 'MMS Public API'
const md5 = (text) => createHash('md5').update(text).digest('hex')

export function nonceOf(challenge) {
  const match = /nonce="([^"]+)"/.exec(challenge ?? '')
  if (!match) throw new Error(`no nonce in challenge ${challenge}`)
  return match[1]
}

/** A signer for one key and one URI: `sign(nonce, nc)` gives the Authorization header. */
export function digestSigner(publicKey, privateKey, method, uri) {
  const ha1 = md5(`${publicKey}:${REALM}:${privateKey}`)
  const ha2 = md5(`${method}:${uri}`)
  return (nonce, nc) => {
    const count = nc.toString(16).padStart(8, '0')
    const cnonce = count
    const response = md5(`${ha1}:${nonce}:${count}:${cnonce}:auth:${ha2}`)
    return `Digest username="${publicKey}", realm="${REALM}", nonce="${nonce}", uri="${uri}", algorithm=MD5, qop=auth, nc=${count}, cnonce="${cnonce}", response="${response}"`
  }
}
