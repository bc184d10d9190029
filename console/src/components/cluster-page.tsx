import type { Api } from '../api.js'
import type { Cluster, Organization, Project, Timeline as TimelineData } from '../api-types.js'
import { age, plural, schedule, whyNoCheckpoints } from '../format.js'
import { usePoll } from '../poll.js'
import { href } from '../route.js'
import { STATE_STYLES } from '../states.js'
import { CheckpointDetail } from './checkpoint-detail.js'
import { useServerTime } from './clock.js'
import { ClusterSettings } from './cluster-settings.js'
import { HistoryForm } from './history-form.js'
import { Timeline } from './timeline.js'

interface ClusterContext {
  readonly cluster: Cluster
  readonly project: Project
  readonly org: Organization
  readonly stats: TimelineData
}

/**
 * One cluster: what it is, its timeline, the checkpoint picked on it, and arranging it (schedule, window,
 * FCV, backup kind, a backfilled history). Snapshots and restore jobs belong here once the server has
 * them (a panel beside the checkpoint detail; docs/console.md).
 */
export function ClusterPage({ api, groupId, clusterId, checkpointId }: { api: Api; groupId: string; clusterId: string; checkpointId?: string | undefined }) {
  const { nowMs } = useServerTime()
  const polled = usePoll<ClusterContext>(
    async () => {
      const base = `/groups/${groupId}/clusters/${clusterId}`
      const [cluster, project, stats] = await Promise.all([
        api.get<Cluster>(base),
        api.get<Project>(`/groups/${groupId}`),
        api.get<TimelineData>(`${base}/timeline?buckets=1&maxCheckpoints=0`),
      ])
      const org = await api.get<Organization>(`/orgs/${project.orgId}`)
      return { cluster, project, org, stats }
    },
    [groupId, clusterId],
    5000,
  )
  const data = polled.data
  if (data === undefined) {
    return (
      <main id="main" tabIndex={-1}>
        {polled.error !== undefined ? (
          <p class="error" role="alert">
            This cluster could not be read: {(polled.error as Error).message}. <a href={href({ page: 'overview' })}>Back to the clusters</a>
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </main>
    )
  }
  const { cluster, project, org, stats } = data
  const why = whyNoCheckpoints(cluster)
  return (
    <main id="main" tabIndex={-1} class="cluster-page">
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <a href={href({ page: 'overview' })}>{org.name}</a>
          </li>
          <li>
            <a href={href({ page: 'overview' })}>{project.name}</a>
          </li>
          <li aria-current="page">{cluster.name}</li>
        </ol>
      </nav>
      <h1>
        {cluster.name} <span class="id">{cluster.id}</span>
      </h1>
      <dl class="facts">
        <div>
          <dt>Type</dt>
          <dd>{cluster.type === 'SHARDED' ? `sharded, ${plural(cluster.shards.length, 'shard')}` : 'replica set'}</dd>
        </div>
        <div>
          <dt>Shards</dt>
          <dd>{cluster.shards.map((s) => s.shardName).join(', ')}</dd>
        </div>
        <div>
          <dt>FCV</dt>
          <dd>{cluster.featureCompatibilityVersion}</dd>
        </div>
        <div>
          <dt>Backup</dt>
          <dd>{cluster.backup}</dd>
        </div>
        <div>
          <dt>Checkpoints</dt>
          <dd data-testid="cluster-schedule">
            {schedule(cluster.checkpointIntervalMinutes)}
            {why !== undefined && <span class="note"> · none made: {why}</span>}
          </dd>
        </div>
        <div>
          <dt>Point-in-time window</dt>
          <dd>{cluster.pointInTimeWindowHours} h</dd>
        </div>
        <div>
          <dt>Newest checkpoint</dt>
          <dd>{age(stats.cluster.newest, nowMs)}</dd>
        </div>
        <div>
          <dt>Newest restorable</dt>
          <dd>{age(stats.cluster.newestRestorable, nowMs)}</dd>
        </div>
        <div>
          <dt>Totals</dt>
          <dd data-testid="cluster-totals">
            {plural(stats.counts.total, 'checkpoint')}
            {STATE_STYLES.filter((s) => stats.counts[s.state] > 0)
              .map((s) => `, ${stats.counts[s.state].toLocaleString('en-US')} ${s.label.toLowerCase()}`)
              .join('')}
          </dd>
        </div>
      </dl>
      <Timeline api={api} cluster={cluster} nowMs={nowMs} selectedId={checkpointId} />
      {checkpointId !== undefined && <CheckpointDetail api={api} cluster={cluster} checkpointId={checkpointId} windowStart={stats.window.start} />}
      <div class="arrange">
        <ClusterSettings api={api} cluster={cluster} onSaved={polled.reload} />
        <HistoryForm api={api} cluster={cluster} />
      </div>
    </main>
  )
}
