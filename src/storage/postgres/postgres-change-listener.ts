import pg from 'pg'
import type { ChangeSignal } from '../cached-store.js'

/** The channel every write of a PostgreSQL store notifies on; the payload is the schema written to. */
export const CHANGE_CHANNEL = 'waymark_changes'

/**
 * The statement a write transaction runs to tell every listener of its schema that something changed
 * (delivered when, and only if, the transaction commits). Coarse on purpose: a listener empties all its
 * caches, so no write can be missed by naming the wrong record.
 */
export const NOTIFY_CHANGE_CALL = `pg_notify('${CHANGE_CHANNEL}', current_schema())`
export const NOTIFY_CHANGE = `SELECT ${NOTIFY_CHANGE_CALL}`

/** How often the listening connection is asked `SELECT 1`, and how long it may take to answer. */
export const HEARTBEAT_INTERVAL_MS = 1_000
export const HEARTBEAT_TIMEOUT_MS = 1_000
/** Connecting (and LISTEN) on a server that does not answer gives up after this. */
const CONNECT_TIMEOUT_MS = 2_000
/** The wait before connecting again after the connection was lost or could not be made. */
const RECONNECT_DELAY_MS = 500
/** How long close() waits for a polite goodbye before dropping the socket. */
const CLOSE_TIMEOUT_MS = 1_000

/** The socket under a pg client, which @types/pg does not declare. */
interface WithStream {
  readonly connection?: { readonly stream?: { destroy(): void } }
}

const ignore = (): void => undefined

/**
 * One connection of its own (not from the pool) that LISTENs on {@link CHANGE_CHANNEL} and tells its
 * subscribers, for the schema it is connected to, whenever another connection committed a write, and
 * whenever it stops or starts being trustworthy.
 *
 * It is trusted only while it is known to be receiving: connected, LISTEN done, and its heartbeat (a
 * `SELECT 1` every {@link HEARTBEAT_INTERVAL_MS}, answered within {@link HEARTBEAT_TIMEOUT_MS}) answering.
 * On an error, the end of the connection or a heartbeat that fails, it becomes untrusted at once (the
 * subscribers are called: they drop their caches) and reconnects in the background; once LISTEN is done
 * again it is trusted again and calls the subscribers once more, since notifications may have been missed
 * meanwhile.
 *
 * It starts at the first {@link trusted} call (so a one-shot CLI command that never reads through a cache
 * opens no extra connection), and never keeps the process alive by itself (its socket and timers are
 * unref'd); {@link close} ends it.
 */
export class PostgresChangeListener implements ChangeSignal {
  readonly #config: pg.ClientConfig
  readonly #subscribers = new Set<() => void>()
  #client: pg.Client | undefined
  #schema: string | undefined
  #started = false
  #trusted = false
  #closed = false
  #timer: NodeJS.Timeout | undefined

  constructor(config: pg.ClientConfig) {
    this.#config = config
  }

  /** Whether changes committed elsewhere are being delivered right now; the first call starts listening. */
  trusted(): boolean {
    if (!this.#started) void this.start()
    return this.#trusted
  }

  subscribe(onChange: () => void): () => void {
    this.#subscribers.add(onChange)
    return () => this.#subscribers.delete(onChange)
  }

  /** Starts listening (once); resolves after the first attempt, whether it succeeded or not. */
  start(): Promise<void> {
    if (this.#started || this.#closed) return Promise.resolve()
    this.#started = true
    return this.#connect()
  }

  /** The backend process id of the listening connection while it is trusted (for tests and diagnostics). */
  get processId(): number | undefined {
    return this.#trusted ? (this.#client as { processID?: number } | undefined)?.processID : undefined
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#trusted = false
    clearTimeout(this.#timer)
    this.#subscribers.clear()
    const client = this.#client
    this.#client = undefined
    if (client === undefined) return
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)
    })
    await Promise.race([client.end().catch(ignore), timedOut])
    clearTimeout(timer)
    destroy(client)
  }

  async #connect(): Promise<void> {
    if (this.#closed) return
    const client = new pg.Client({
      ...this.#config,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: HEARTBEAT_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'waymark-listen',
    })
    this.#client = client
    client.on('error', () => this.#lost(client))
    client.on('end', () => this.#lost(client))
    client.on('notification', (message) => {
      if (client === this.#client && message.channel === CHANGE_CHANNEL && message.payload === this.#schema) {
        this.#emit()
      }
    })
    try {
      await client.connect()
      // pg's Client.unref(), which @types/pg does not declare: this connection alone keeps no process alive.
      ;(client as unknown as { unref(): void }).unref()
      const [row] = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows
      this.#schema = row?.schema ?? undefined
      await client.query(`LISTEN ${CHANGE_CHANNEL}`)
    } catch {
      this.#lost(client)
      return
    }
    if (client !== this.#client) return // lost or closed meanwhile
    this.#trusted = true
    // Whatever was committed while nobody listened is unknown: start from empty caches.
    this.#emit()
    this.#schedule(this.#heartbeat, HEARTBEAT_INTERVAL_MS)
  }

  readonly #heartbeat = (): void => {
    const client = this.#client
    if (client === undefined || !this.#trusted) return
    client.query('SELECT 1').then(
      () => {
        if (client === this.#client) this.#schedule(this.#heartbeat, HEARTBEAT_INTERVAL_MS)
      },
      () => this.#lost(client),
    )
  }

  /** The connection `client` failed: distrust at once, drop it, connect again later. */
  #lost(client: pg.Client): void {
    if (client !== this.#client) return
    this.#client = undefined
    clearTimeout(this.#timer)
    const wasTrusted = this.#trusted
    this.#trusted = false
    if (wasTrusted) this.#emit()
    client.end().catch(ignore)
    destroy(client)
    if (!this.#closed) this.#schedule(() => void this.#connect(), RECONNECT_DELAY_MS)
  }

  #schedule(run: () => void, ms: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(run, ms)
    this.#timer.unref()
  }

  #emit(): void {
    for (const onChange of this.#subscribers) onChange()
  }
}

/** Drops a client's socket at once (a frozen server would never answer a polite goodbye). */
function destroy(client: pg.Client): void {
  client.removeAllListeners('notification')
  client.on('error', ignore)
  ;(client as unknown as WithStream).connection?.stream?.destroy()
}
