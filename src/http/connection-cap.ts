import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { Server as TlsServer } from 'node:tls'
import { ApiError } from '../errors.js'
import { rawErrorResponse } from './client-errors.js'

/** How long a refused connection is read (and what it sends discarded) before it is cut. */
const REFUSED_LINGER_MS = 1_000

/**
 * At most `max` connections open at once (docs/security.md, "Item 3"). The connection past the cap is
 * answered, before anything is read, `503 TOO_MANY_CONNECTIONS` in the API's JSON with `Retry-After: 1`
 * and `Connection: close`, then closed: a client (or a balancer) is told why, where Node's own
 * `server.maxConnections` would drop the connection without a word. What the client sends meanwhile is
 * read and discarded for a second, so that its request arriving after the answer does not make the
 * kernel reset the connection before the client read it. Over TLS nothing can be said before the
 * handshake, so the connection is closed at once.
 *
 * Node's HTTP (or TLS) server handles a connection in its 'connection' listeners: they are taken over
 * here, and called only for the connections within the cap. Call before listening.
 */
export function capConnections(server: Server, max: number, refused: () => void): void {
  const handlers = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  const encrypted = server instanceof TlsServer
  let open = 0
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
      refused()
      refuse(socket, encrypted, max)
      return
    }
    open++
    socket.once('close', () => open--)
    for (const handler of handlers) handler.call(server, socket)
  })
}

function refuse(socket: Socket, encrypted: boolean, max: number): void {
  socket.on('error', () => undefined)
  if (encrypted) {
    socket.destroy()
    return
  }
  socket.end(rawErrorResponse(new ApiError('TOO_MANY_CONNECTIONS', [max]), { 'retry-after': '1' }))
  socket.resume()
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref()
}
