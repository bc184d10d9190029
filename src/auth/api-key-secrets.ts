import { randomInt, randomUUID } from 'node:crypto'
import { DIGEST_REALM } from './digest-profile.js'
import { digestHa1 } from './digest-response.js'

const LOWER = 'abcdefghijklmnopqrstuvwxyz'

export interface ApiKeySecrets {
  /** 8 lower-case letters: the Digest username. */
  readonly publicKey: string
  /** A UUID: the Digest password, shown once and never stored. */
  readonly privateKey: string
  /** What is stored instead of the private key. */
  readonly digestHa1: string
}

/** A fresh key pair in the real API's format, with the hash that is stored in place of the private key. */
export function generateApiKeySecrets(): ApiKeySecrets {
  const publicKey = Array.from({ length: 8 }, () => LOWER[randomInt(LOWER.length)]).join('')
  const privateKey = randomUUID()
  return { publicKey, privateKey, digestHa1: apiKeyHa1(publicKey, privateKey) }
}

/** HA1 = MD5(publicKey ":" "MMS Public API" ":" privateKey), lower-case hex. */
export function apiKeyHa1(publicKey: string, privateKey: string): string {
  return digestHa1(publicKey, DIGEST_REALM, privateKey)
}
