import { connect, type Socket } from 'node:net'

const BODY = 'grant_type=client_credentials'
/** How much of the body goes before the pause. */
const FIRST_PART = 10

/** A token request whose body is only partly sent: in flight, on the server, until the rest comes. */
export interface SlowRequest {
  readonly socket: Socket
  /** Resolves when the server has closed the connection, with everything it sent. */
  readonly closed: Promise<{ readonly head: string; readonly body: string }>
  /** Sends the rest of the body. */
  finish(): void
}

/**
 * Sends `POST /api/oauth/token` with Basic client credentials, a full head and only the first bytes of
 * its form body, and resolves once the server has had time to take the request up: its route is then
 * waiting for the body, as for a client on a slow link.
 */
export async function slowTokenRequest(baseUrl: string, clientId: string, secret: string): Promise<SlowRequest> {
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname)
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const closed = new Promise<{ head: string; body: string }>((resolve, reject) => {
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const split = text.indexOf('\r\n\r\n')
      resolve(split === -1 ? { head: text, body: '' } : { head: text.slice(0, split), body: text.slice(split + 4) })
    })
  })
  const basic = Buffer.from(`${clientId}:${secret}`).toString('base64')
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    `POST /api/oauth/token HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Basic ${basic}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, FIRST_PART)}`,
  )
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { socket, closed, finish: () => void socket.write(BODY.slice(FIRST_PART)) }
}
