import { createContext } from 'preact'
import { useContext, useEffect, useRef } from 'preact/hooks'
import type { Api } from '../api.js'
import type { Checkpoint, Cluster } from '../api-types.js'
import { usePoll } from '../poll.js'
import { href } from '../route.js'
import { stateOf, STYLE_OF } from '../states.js'
import { CopyButton } from './copy-button.js'
import { Swatch } from './swatch.js'

/** An API key created in this tab, to put in the curl commands: in memory only, gone on reload. */
export interface CurlKey {
  readonly publicKey: string
  readonly privateKey: string
}

export const CurlKeyContext = createContext<{ key: CurlKey | undefined; set: (key: CurlKey | undefined) => void }>({ key: undefined, set: () => {} })

const ATLAS_V2_ACCEPT = 'application/vnd.atlas.2023-01-01+json'

/** The checkpoint's URL in each API dialect (docs/architecture.md, "Dialects"), on this server. */
export function dialectUrls(cluster: Cluster, checkpointId: string, origin: string): ReadonlyArray<{ name: string; url: string; accept: string }> {
  const name = encodeURIComponent(cluster.name)
  return [
    { name: 'Atlas Admin API v2', url: `${origin}/api/atlas/v2/groups/${cluster.groupId}/clusters/${name}/backupCheckpoints/${checkpointId}`, accept: ATLAS_V2_ACCEPT },
    { name: 'Atlas v1.0', url: `${origin}/api/atlas/v1.0/groups/${cluster.groupId}/clusters/${name}/backupCheckpoints/${checkpointId}`, accept: 'application/json' },
    { name: 'Ops Manager v1.0', url: `${origin}/api/public/v1.0/groups/${cluster.groupId}/clusters/${cluster.id}/checkpoints/${checkpointId}`, accept: 'application/json' },
  ]
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** A curl command for one URL: Digest, the dialect's Accept header, the key as shell variables unless one is given. */
export function curlCommand(url: string, accept: string, key: CurlKey | undefined): string {
  const user = key ? quote(`${key.publicKey}:${key.privateKey}`) : '"$PUBLIC_KEY:$PRIVATE_KEY"'
  return `curl --digest -u ${user} -H ${quote(`Accept: ${accept}`)} ${quote(url)}`
}

/** Every field of a checkpoint, its parts and tokens, and how to read it through each API. */
export function CheckpointDetail({ api, cluster, checkpointId, windowStart }: { api: Api; cluster: Cluster; checkpointId: string; windowStart: string }) {
  const polled = usePoll(() => api.get<Checkpoint>(`/groups/${cluster.groupId}/clusters/${cluster.id}/checkpoints/${checkpointId}`), [cluster.id, checkpointId], 3000)
  const heading = useRef<HTMLHeadingElement>(null)
  const { key } = useContext(CurlKeyContext)
  useEffect(() => heading.current?.focus(), [checkpointId])
  const c = polled.data
  const close = href({ page: 'cluster', groupId: cluster.groupId, clusterId: cluster.id })
  return (
    <section class="panel checkpoint-detail" aria-labelledby="checkpoint-heading">
      <div class="panel-head">
        <h2 id="checkpoint-heading" tabIndex={-1} ref={heading}>
          Checkpoint <span class="id">{checkpointId}</span>
        </h2>
        <a href={close} class="close">
          Close
        </a>
      </div>
      {c === undefined ? (
        polled.error !== undefined ? (
          <p class="error" role="alert">
            Not found: {(polled.error as Error).message}
          </p>
        ) : (
          <p>Loading…</p>
        )
      ) : (
        <>
          <StateLine checkpoint={c} windowStart={windowStart} />
          <dl class="fields" data-testid="checkpoint-fields">
            {(
              [
                ['id', c.id],
                ['clusterId', c.clusterId],
                ['groupId', c.groupId],
                ['started', c.started],
                ['completed', c.completed ?? '— (in progress)'],
                ['timestamp', c.timestamp],
                ['restorable', String(c.restorable)],
              ] as const
            ).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>
                  <code>{value}</code>
                </dd>
              </div>
            ))}
          </dl>
          <table class="parts">
            <caption>Parts ({c.parts.length}): one per shard and one for the config servers</caption>
            <thead>
              <tr>
                <th scope="col">typeName</th>
                <th scope="col">replicaSetName</th>
                <th scope="col">shardName</th>
                <th scope="col">hostId</th>
                <th scope="col">tokenDiscovered</th>
                <th scope="col">tokenTimestamp.date</th>
                <th scope="col">increment</th>
              </tr>
            </thead>
            <tbody>
              {c.parts.map((p, i) => (
                <tr key={i}>
                  <td>{p.typeName}</td>
                  <td>{p.replicaSetName ?? '—'}</td>
                  <td>{p.shardName ?? '—'}</td>
                  <td>{p.hostId ?? '—'}</td>
                  <td class={p.tokenDiscovered ? undefined : 'warning'}>{p.tokenDiscovered ? '✓ true' : '✗ false'}</td>
                  <td>{p.tokenTimestamp.date}</td>
                  <td>{p.tokenTimestamp.increment}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Read it through the APIs</h3>
          <p class="hint">
            {key
              ? `The commands carry the API key ${key.publicKey} created in this tab.`
              : 'Set PUBLIC_KEY and PRIVATE_KEY to an API key with a role on this project (create one under Access), then run a command.'}
          </p>
          <ul class="dialects">
            {dialectUrls(cluster, c.id, location.origin).map((d) => {
              const command = curlCommand(d.url, d.accept, key)
              return (
                <li key={d.name}>
                  <h4>{d.name}</h4>
                  <p>
                    <a href={d.url} rel="noreferrer">
                      {d.url}
                    </a>
                  </p>
                  <pre>
                    <code data-testid={`curl-${d.name}`}>{command}</code>
                  </pre>
                  <CopyButton text={command} label={`Copy the curl command for ${d.name}`} />
                </li>
              )
            })}
          </ul>
        </>
      )}
    </section>
  )
}

function StateLine({ checkpoint, windowStart }: { checkpoint: Checkpoint; windowStart: string }) {
  const style = STYLE_OF[stateOf(checkpoint, windowStart)]
  return (
    <p class="state-line" data-testid="checkpoint-state">
      <Swatch style={style} /> <strong>{style.label}</strong> — {style.meaning}
    </p>
  )
}
