import { createHash, randomBytes } from 'node:crypto'

export interface Credentials {
  readonly publicKey: string
  readonly privateKey: string
}

export interface Challenge {
  readonly realm: string
  readonly nonce: string
  readonly qop: string
  readonly algorithm: string
  readonly stale: string
  readonly domain: string
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex')

export function parseChallenge(header: string): Challenge {
  assertDigest(header)
  const fields = Object.fromEntries(
    header
      .slice('Digest '.length)
      .split(', ')
      .map((pair) => {
        const at = pair.indexOf('=')
        return [pair.slice(0, at), pair.slice(at + 1).replace(/^"(.*)"$/, '$1')]
      }),
  ) as Record<string, string>
  return {
    realm: fields['realm'] ?? '',
    nonce: fields['nonce'] ?? '',
    qop: fields['qop'] ?? '',
    algorithm: fields['algorithm'] ?? '',
    stale: fields['stale'] ?? '',
    domain: fields['domain'] ?? '',
  }
}

function assertDigest(header: string): void {
  if (!header.startsWith('Digest ')) throw new Error(`not a Digest challenge: ${header}`)
}

export interface DigestInput {
  readonly credentials: Credentials
  readonly method: string
  readonly uri: string
  readonly nonce: string
  readonly nc: number
  readonly realm?: string
  readonly cnonce?: string
}

export function digestAuthorization(input: DigestInput): string {
  const realm = input.realm ?? 'MMS Public API'
  const nc = input.nc.toString(16).padStart(8, '0')
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex')
  const ha1 = md5(`${input.credentials.publicKey}:${realm}:${input.credentials.privateKey}`)
  const ha2 = md5(`${input.method}:${input.uri}`)
  const response = md5(`${ha1}:${input.nonce}:${nc}:${cnonce}:auth:${ha2}`)
  return (
    `Digest username="${input.credentials.publicKey}", realm="${realm}", nonce="${input.nonce}", uri="${input.uri}", ` +
    `algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`
  )
}
