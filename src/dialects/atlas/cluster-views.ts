import { deploymentOf, ZONE_NAME, type Deployment } from '../../domain/deployment.js'
import type { Cluster } from '../../domain/types.js'
import { apiUrl, type DiscoveryContext } from '../discovery-context.js'
import type { LinkView } from '../page-links.js'
import { connectionStrings, connectionStringsView } from './connection-strings.js'
import { providerSettings, regionConfig, regionsMap } from './hardware.js'
import { double } from './jackson-double.js'

/**
 * The Atlas cluster bodies, one per resource version (docs/behaviour.md#discovery): exactly the keys every
 * recorded real body of that version carries, plus `configServer*` for sharded clusters, each from the
 * model, derived from it, or a documented constant. Keys alphabetical, as Jackson writes them. Atlas v1.0
 * serves the 2023-01-01 body. `diskSizeGB` is a double marker (jackson-double.ts).
 */

export type ClusterView = (ctx: DiscoveryContext, cluster: Cluster) => object

/** Every cluster, alone or in a list: `self`, and the Cloud Backup restore jobs and snapshots. */
function clusterLinks(ctx: DiscoveryContext, cluster: Cluster): LinkView[] {
  const self = apiUrl(ctx, `/groups/${cluster.groupId}/clusters/${encodeURIComponent(cluster.name)}`)
  return [
    { href: self, rel: 'self' },
    { href: `${self}/backup/restoreJobs`, rel: `${ctx.dialect.relationBase}/restoreJobs` },
    { href: `${self}/backup/snapshots`, rel: `${ctx.dialect.relationBase}/snapshots` },
  ]
}

/** Sharded clusters only: their config servers are dedicated (a CSRS, or SCCC mirrors), managed by Atlas. */
function configServerFields(cluster: Cluster): object {
  return cluster.type === 'SHARDED' ? { configServerManagementMode: 'ATLAS_MANAGED', configServerType: 'DEDICATED' } : {}
}

const ADVANCED_CONFIGURATION = {
  customOpensslCipherConfigTls12: [],
  customOpensslCipherConfigTls13: [],
  minimumEnabledTlsProtocol: 'TLS1_2',
  tlsCipherConfigMode: 'DEFAULT',
}
/** Lower case, as every recorded body writes it (the published enum is upper case). */
const BI_CONNECTOR = { enabled: false, readPreference: 'secondary' }

/** The fields that are alike in every version, in key order, with the version's own ones merged by the caller. */
function common(ctx: DiscoveryContext, cluster: Cluster, d: Deployment) {
  return {
    biConnector: BI_CONNECTOR,
    clusterType: cluster.type,
    ...configServerFields(cluster),
    connectionStrings: connectionStringsView(cluster, ctx.connectionDomain),
    createDate: d.createdAt,
  }
}

/** 2024-08-05: a replication spec per shard, the disk size in each hardware spec. Backup means Cloud Backup. */
export const cluster20240805: ClusterView = (ctx, cluster) => {
  const d = deploymentOf(cluster)
  const specs = (effective: boolean) =>
    cluster.shards.map((_, i) => ({
      id: d.specIds.shards[i],
      regionConfigs: [regionConfig(d, true, effective)],
      zoneId: d.specIds.zone,
      zoneName: ZONE_NAME,
    }))
  return {
    adaptiveCapacity: null,
    advancedConfiguration: ADVANCED_CONFIGURATION,
    backupEnabled: cluster.backup === 'CLOUD',
    ...common(ctx, cluster, d),
    diskWarmingMode: 'FULLY_WARMED',
    effectiveDatabaseEdition: 'CORE',
    effectiveReplicationSpecs: specs(false),
    encryptionAtRestProvider: 'NONE',
    featureCompatibilityVersion: cluster.featureCompatibilityVersion,
    globalClusterSelfManagedSharding: false,
    groupId: cluster.groupId,
    id: cluster.id,
    internalClusterRole: 'NONE',
    labels: [],
    links: clusterLinks(ctx, cluster),
    mongoDBMajorVersion: d.mongoDBMajorVersion,
    mongoDBVersion: d.mongoDBVersion,
    name: cluster.name,
    paused: false,
    pitEnabled: false,
    redactClientLogData: false,
    replicationSpecs: specs(true),
    retainBackups: false,
    rootCertType: 'ISRGROOTX1',
    stateName: d.stateName,
    tags: [],
    terminationProtectionEnabled: false,
    useAwsTimeBasedSnapshotCopyForFastInitialSync: false,
    versionReleaseSystem: 'LTS',
  }
}

/** 2023-02-01: one replication spec for the zone with `numShards`, the disk size at the top. Backup means Cloud Backup. */
export const cluster20230201: ClusterView = (ctx, cluster) => {
  const d = deploymentOf(cluster)
  return {
    advancedConfiguration: ADVANCED_CONFIGURATION,
    backupEnabled: cluster.backup === 'CLOUD',
    ...common(ctx, cluster, d),
    diskSizeGB: double(d.diskSizeGB),
    diskWarmingMode: 'FULLY_WARMED',
    encryptionAtRestProvider: 'NONE',
    globalClusterSelfManagedSharding: false,
    groupId: cluster.groupId,
    id: cluster.id,
    labels: [],
    links: clusterLinks(ctx, cluster),
    mongoDBMajorVersion: d.mongoDBMajorVersion,
    mongoDBVersion: d.mongoDBVersion,
    name: cluster.name,
    paused: false,
    pitEnabled: false,
    replicationSpecs: [
      { id: d.specIds.zoneSpec, numShards: cluster.shards.length, regionConfigs: [regionConfig(d, false, false)], zoneId: d.specIds.zone, zoneName: ZONE_NAME },
    ],
    rootCertType: 'ISRGROOTX1',
    stateName: d.stateName,
    tags: [],
    terminationProtectionEnabled: false,
    versionReleaseSystem: 'LTS',
  }
}

/**
 * 2023-01-01, and Atlas v1.0: the v1.0 cluster. `backupEnabled` is legacy (continuous) backup there, Cloud
 * Backup is `providerBackupEnabled`.
 */
export const cluster20230101: ClusterView = (ctx, cluster) => {
  const d = deploymentOf(cluster)
  const strings = d.stateName === 'CREATING' ? undefined : connectionStrings(cluster, ctx.connectionDomain)
  return {
    autoScaling: { compute: { enabled: false, scaleDownEnabled: false }, diskGBEnabled: false },
    backupEnabled: cluster.backup === 'LEGACY',
    ...common(ctx, cluster, d),
    diskSizeGB: double(d.diskSizeGB),
    diskWarmingMode: 'FULLY_WARMED',
    encryptionAtRestProvider: 'NONE',
    globalClusterSelfManagedSharding: false,
    groupId: cluster.groupId,
    id: cluster.id,
    labels: [],
    links: clusterLinks(ctx, cluster),
    mongoDBMajorVersion: d.mongoDBMajorVersion,
    mongoDBVersion: d.mongoDBVersion,
    ...(strings ? { mongoURI: strings.hosts, mongoURIUpdated: d.createdAt, mongoURIWithOptions: strings.standard } : {}),
    name: cluster.name,
    numShards: cluster.shards.length,
    paused: false,
    pitEnabled: false,
    providerBackupEnabled: cluster.backup === 'CLOUD',
    providerSettings: providerSettings(d),
    replicationFactor: 3,
    replicationSpec: regionsMap(d),
    replicationSpecs: [{ id: d.specIds.zoneSpec, numShards: cluster.shards.length, regionsConfig: regionsMap(d), zoneName: ZONE_NAME }],
    rootCertType: 'ISRGROOTX1',
    ...(strings ? { srvAddress: strings.standardSrv } : {}),
    stateName: d.stateName,
    tags: [],
    terminationProtectionEnabled: false,
    versionReleaseSystem: 'LTS',
  }
}

/** The view of each cluster resource version. */
export const CLUSTER_VIEWS: Readonly<Record<string, ClusterView>> = {
  '2023-01-01': cluster20230101,
  '2023-02-01': cluster20230201,
  '2024-08-05': cluster20240805,
}
