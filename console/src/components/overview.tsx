import { useEffect, useState } from 'preact/hooks'
import type { Api } from '../api.js'
import type { Cluster, List, Organization, Project, Timeline } from '../api-types.js'
import { age, duration, plural, schedule, whyNoCheckpoints } from '../format.js'
import { usePoll } from '../poll.js'
import { href } from '../route.js'
import { sessionPreference, setSessionPreference } from '../session.js'
import { useServerTime } from './clock.js'
import { ResetDemo } from './reset-demo.js'

interface Everything {
  readonly orgs: readonly Organization[]
  readonly projects: readonly Project[]
  readonly clusters: readonly Cluster[]
  /** Each cluster's whole history at a glance (one bucket of its timeline). */
  readonly stats: ReadonlyMap<string, Timeline>
}

async function loadEverything(api: Api): Promise<Everything> {
  const [orgs, projects] = await Promise.all([api.get<List<Organization>>('/orgs'), api.get<List<Project>>('/groups')])
  const lists = await Promise.all(projects.results.map((p) => api.get<List<Cluster>>(`/groups/${p.id}/clusters`)))
  const clusters = lists.flatMap((l) => l.results)
  const stats = await Promise.all(clusters.map((c) => api.get<Timeline>(`/groups/${c.groupId}/clusters/${c.id}/timeline?buckets=1&maxCheckpoints=0`)))
  return { orgs: orgs.results, projects: projects.results, clusters, stats: new Map(clusters.map((c, i) => [c.id, stats[i] as Timeline])) }
}

const THRESHOLDS: ReadonlyArray<[string, string]> = [
  ['15', '15 minutes'],
  ['30', '30 minutes'],
  ['60', '1 hour'],
  ['120', '2 hours'],
  ['360', '6 hours'],
  ['1440', '1 day'],
]

/** Organizations → projects → clusters, each with its schedule, its newest checkpoints' ages and its totals. */
export function Overview({ api }: { api: Api }) {
  const polled = usePoll(() => loadEverything(api), [], 5000)
  const [warnAfter, setWarnAfter] = useState(() => sessionPreference('warnAfter', '60'))
  const data = polled.data
  useEffect(() => {
    if (data !== undefined) performance.mark('waymark:overview-ready')
  }, [data !== undefined])
  return (
    <main id="main" tabIndex={-1} class="overview">
      <div class="page-head">
        <h1>Clusters</h1>
        <div class="page-actions">
          <label for="warn-after">Warn when the newest restorable checkpoint is older than</label>{' '}
          <select
            id="warn-after"
            value={warnAfter}
            onChange={(e) => {
              const value = (e.currentTarget as HTMLSelectElement).value
              setWarnAfter(value)
              setSessionPreference('warnAfter', value)
            }}
          >
            {THRESHOLDS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <ResetDemo api={api} />
        </div>
      </div>
      {polled.error !== undefined && data === undefined && (
        <p class="error" role="alert">
          Could not read the clusters: {String((polled.error as Error).message)}
        </p>
      )}
      {data === undefined ? (
        <p>Loading…</p>
      ) : data.orgs.length === 0 ? (
        <p>The store is empty. Load a fixture (POST /_admin/v1/fixtures) or reset to the demo.</p>
      ) : (
        data.orgs.map((org) => (
          <section key={org.id} class="org" aria-labelledby={`org-${org.id}`}>
            <h2 id={`org-${org.id}`}>
              {org.name} <span class="id">{org.id}</span>
            </h2>
            {data.projects
              .filter((p) => p.orgId === org.id)
              .map((project) => (
                <ProjectClusters key={project.id} project={project} clusters={data.clusters.filter((c) => c.groupId === project.id)} stats={data.stats} warnAfterMs={Number(warnAfter) * 60_000} />
              ))}
          </section>
        ))
      )}
    </main>
  )
}

function ProjectClusters({ project, clusters, stats, warnAfterMs }: { project: Project; clusters: readonly Cluster[]; stats: ReadonlyMap<string, Timeline>; warnAfterMs: number }) {
  const { nowMs } = useServerTime()
  return (
    <section class="project" aria-labelledby={`project-${project.id}`}>
      <h3 id={`project-${project.id}`}>
        Project {project.name} <span class="id">{project.id}</span>
      </h3>
      {clusters.length === 0 ? (
        <p>No clusters.</p>
      ) : (
        <div class="table-scroll">
          <table class="clusters">
            <caption class="visually-hidden">Clusters of project {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Type</th>
                <th scope="col">Shards</th>
                <th scope="col">FCV</th>
                <th scope="col">Backup</th>
                <th scope="col">Checkpoints</th>
                <th scope="col">Window</th>
                <th scope="col">Newest</th>
                <th scope="col">Newest restorable</th>
                <th scope="col">Totals</th>
              </tr>
            </thead>
            <tbody>
              {clusters.map((c) => (
                <ClusterRow key={c.id} cluster={c} stats={stats.get(c.id)} nowMs={nowMs} warnAfterMs={warnAfterMs} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function ClusterRow({ cluster: c, stats, nowMs, warnAfterMs }: { cluster: Cluster; stats: Timeline | undefined; nowMs: number; warnAfterMs: number }) {
  const why = whyNoCheckpoints(c)
  const bounds = stats?.cluster
  const restorableAge = bounds?.newestRestorable ? nowMs - Date.parse(bounds.newestRestorable) : undefined
  const watched = why === undefined || (bounds !== undefined && bounds.count > 0)
  const stale = watched && bounds !== undefined && (restorableAge === undefined || restorableAge > warnAfterMs)
  return (
    <tr data-cluster={c.name}>
      <th scope="row">
        <a href={href({ page: 'cluster', groupId: c.groupId, clusterId: c.id })}>{c.name}</a>
      </th>
      <td>{c.type === 'SHARDED' ? 'sharded' : 'replica set'}</td>
      <td title={c.shards.map((s) => s.shardName).join(', ')}>{c.shards.length}</td>
      <td>{c.featureCompatibilityVersion}</td>
      <td>{c.backup}</td>
      <td>
        {schedule(c.checkpointIntervalMinutes)}
        {why !== undefined && c.checkpointIntervalMinutes !== null && <span class="note"> (none made: {why})</span>}
      </td>
      <td>{c.pointInTimeWindowHours} h</td>
      <td>{bounds ? age(bounds.newest, nowMs) : '…'}</td>
      <td class={stale ? 'warning' : undefined} data-testid={`newest-restorable-${c.name}`}>
        {bounds === undefined ? '…' : (
          <>
            {stale && (
              <span class="badge warning-badge" title={`older than ${duration(warnAfterMs)}`}>
                <span aria-hidden="true">⚠</span> stale
              </span>
            )}{' '}
            {age(bounds.newestRestorable, nowMs)}
          </>
        )}
      </td>
      <td>{stats ? `${plural(stats.counts.total, 'checkpoint')}, ${stats.counts.restorable.toLocaleString('en-US')} restorable` : '…'}</td>
    </tr>
  )
}
