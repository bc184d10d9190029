import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import { ApiError } from '../errors.js'
import { DEFAULT_FORMAT } from './query-params.js'
import { renderError } from './render.js'

/** Node's default limit on the request line plus headers. */
export const MAX_HEADER_BYTES = 16_384

/**
 * Answers requests Node's HTTP parser refuses before any route sees them, with the API's JSON error
 * instead of a bare status line: 431 REQUEST_HEADERS_TOO_LARGE for oversized request lines or
 * headers, 408 REQUEST_TIMEOUT for headers not received within Node's `headersTimeout`, 400
 * MALFORMED_REQUEST for anything unparseable.
 * The connection is closed afterwards.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy()
    return
  }
  // Pipelined requests parsed whole before the broken one are answered first, in order: a refusal
  // written now would land before their answers and be read as the answer to the first of them.
  const pending = inFlightResponse(socket)
  if (pending?.req?.complete === true) {
    pending.once('finish', () => setImmediate(() => answerClientError(error, socket)))
    return
  }
  const apiError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('REQUEST_HEADERS_TOO_LARGE', [MAX_HEADER_BYTES])
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError('REQUEST_TIMEOUT')
        : new ApiError('MALFORMED_REQUEST')
  socket.end(rawErrorResponse(apiError))
}

/**
 * A whole HTTP/1.1 answer carrying a catalogue error in the API's JSON, with `Connection: close`, for
 * the places that write to a socket before (or instead of) Node's HTTP layer: the refusals here, CONNECT,
 * the connection cap (connection-cap.ts).
 */
export function rawErrorResponse(apiError: ApiError, headers: Readonly<Record<string, string>> = {}): string {
  const response = renderError(apiError, DEFAULT_FORMAT, headers)
  const head = [
    `HTTP/1.1 ${response.status} ${apiError.toBody().reason}`,
    ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(response.body)}`,
    'connection: close',
  ]
  return `${head.join('\r\n')}\r\n\r\n${response.body}`
}

interface InFlightResponse {
  readonly req?: { readonly complete?: boolean }
  once(event: 'finish', listener: () => void): unknown
}

/**
 * The response Node is writing on this socket, if any: Node's own `_httpMessage` (lib/_http_server.js),
 * which holds the next queued response once the current one finishes.
 */
function inFlightResponse(socket: Socket): InFlightResponse | undefined {
  const message = (socket as Socket & { _httpMessage?: InFlightResponse | null })._httpMessage
  return message ?? undefined
}

/**
 * Node answers three kinds of request itself: an HTTP/1.1 request without Host (a bare 400), an `Expect`
 * other than `100-continue` (a bare 417) and `CONNECT` (the connection closed without a word, when nothing
 * listens for it). Waymark takes them over: the first gets its JSON MALFORMED_REQUEST (see
 * {@link lacksOneHost}), the second is served as if it had no `Expect` (RFC 9110 allows either), the third
 * gets 405 METHOD_NOT_ALLOWED in JSON (Waymark is no proxy) and the connection closed, so every answer
 * keeps the documented shape.
 */
export function takeOverNodeRefusals(server: Server): void {
  ;(server as Server & { requireHostHeader: boolean }).requireHostHeader = false
  server.on('checkExpectation', (request: IncomingMessage, response) => server.emit('request', request, response))
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => undefined)
    const target = request.url ?? ''
    socket.end(rawErrorResponse(new ApiError('METHOD_NOT_ALLOWED', ['CONNECT', target]), { allow: SERVED_METHODS }))
    // What the client sends meanwhile (it may already tunnel) is read and dropped until the close.
    socket.resume()
  })
}

/** Every method some route of the server answers, for the `Allow` of a CONNECT's 405. */
const SERVED_METHODS = 'GET, HEAD, POST, PATCH, DELETE'

/**
 * RFC 9112 §3.2: a request without Host (HTTP/1.1) or with more than one Host line is refused with 400.
 * Node keeps the first of two Host lines in `headers` (and would serve it); the raw lines tell.
 */
export function lacksOneHost(request: IncomingMessage): boolean {
  if (request.headers.host === undefined) return request.httpVersionMajor === 1 && request.httpVersionMinor === 1
  const lines = request.rawHeaders
  let hosts = 0
  for (let i = 0; i < lines.length; i += 2) {
    const name = lines[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host' && ++hosts > 1) return true
  }
  return false
}
