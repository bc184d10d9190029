import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP relay in front of a real server (PostgreSQL in the tests), which a test can cut or freeze to play
 * an outage of that server without touching it: other tests keep using the server directly.
 */
export interface TcpProxy {
  /** The port to connect to instead of the server's. */
  readonly port: number
  /** Stops listening and drops every relayed connection: new connections are refused. */
  cut(): Promise<void>
  /**
   * Keeps accepting connections but relays nothing, in either direction, on new and open connections
   * alike: a server that hangs (frozen, or unreachable behind a network that drops packets).
   */
  freeze(): void
  /** Relays again on the same port; connections held while frozen are dropped. */
  restore(): Promise<void>
  close(): Promise<void>
}

interface Pair {
  readonly client: Socket
  upstream?: Socket
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  let frozen = false

  const relay = (pair: Pair): void => {
    const { client } = pair
    const upstream = connect(target.port, target.host)
    pair.upstream = upstream
    upstream.on('error', () => client.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  }

  const server: Server = createServer((client) => {
    const pair: Pair = { client }
    pairs.add(pair)
    client.on('error', () => undefined)
    client.on('close', () => {
      pair.upstream?.destroy()
      pairs.delete(pair)
    })
    if (!frozen) relay(pair)
  })

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        const address = server.address()
        resolve(typeof address === 'object' && address ? address.port : port)
      })
    })
  const dropAll = (): void => {
    for (const pair of pairs) {
      pair.client.destroy()
      pair.upstream?.destroy()
    }
    pairs.clear()
  }
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))

  const port = await listen(0)
  return {
    port,
    async cut() {
      frozen = false
      const closed = stopListening()
      dropAll()
      await closed
    },
    freeze() {
      frozen = true
      for (const { client, upstream } of pairs) {
        client.unpipe()
        upstream?.unpipe()
        client.pause()
        upstream?.pause()
      }
    },
    async restore() {
      if (frozen) dropAll()
      frozen = false
      if (!server.listening) await listen(port)
    },
    async close() {
      const closed = stopListening()
      dropAll()
      await closed
    },
  }
}
