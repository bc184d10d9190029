import type { IncomingMessage } from 'node:http'

const CALLER = Symbol('waymark.caller')
/** Longer names (a Digest username is whatever the client sent) are cut here in the access log. */
const MAX_LENGTH = 100

type Noted = IncomingMessage & { [CALLER]?: string }

/**
 * Notes on the request who its credentials named (an API key's public key, a service account's client id;
 * never a secret), for the access log. Routes outside the API pipeline (OAuth) note it here; the pipeline
 * answers it with its response.
 */
export function noteCaller(raw: IncomingMessage, caller: string | undefined): void {
  if (caller !== undefined) (raw as Noted)[CALLER] = caller
}

/** The caller noted on the request, cut to a length fit for a log line. */
export function callerOf(raw: IncomingMessage): string | undefined {
  return shortened((raw as Noted)[CALLER])
}

/** A caller or a header value, cut to `max` characters. */
export function shortened(value: string | undefined, max = MAX_LENGTH): string | undefined {
  return value === undefined || value.length <= max ? value : `${value.slice(0, max)}…`
}
