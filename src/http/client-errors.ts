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
  const response = renderError(apiError, DEFAULT_FORMAT)
  const head = [
    `HTTP/1.1 ${response.status} ${apiError.toBody().reason}`,
    ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(response.body)}`,
    'connection: close',
  ]
  socket.end(`${head.join('\r\n')}\r\n\r\n${response.body}`)
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
 * Node answers two kinds of request itself, with a bare status and no body: an HTTP/1.1 request without
 * Host (400) and an `Expect` other than `100-continue` (417). Waymark takes both over: the first gets
 * its JSON MALFORMED_REQUEST (see {@link lacksHost}), the second is served as if it had no `Expect`
 * (RFC 9110 allows either), so every answer keeps the documented shape.
 */
export function takeOverNodeRefusals(server: Server): void {
  ;(server as Server & { requireHostHeader: boolean }).requireHostHeader = false
  server.on('checkExpectation', (request: IncomingMessage, response) => server.emit('request', request, response))
}

/** An HTTP/1.1 request without a Host header: RFC 9112 has servers refuse it with 400. */
export function lacksHost(request: IncomingMessage): boolean {
  return request.httpVersionMajor === 1 && request.httpVersionMinor === 1 && request.headers.host === undefined
}
