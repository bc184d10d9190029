import type { Deployment } from '../../domain/deployment.js'
import { double } from './jackson-double.js'

/**
 * The hardware and region parts of the Atlas cluster bodies. Key order as the real API writes them:
 * hardware specs `instanceSize` first, then alphabetical; region configs alphabetical.
 */

const AUTO_SCALING_OFF = { compute: { enabled: false, scaleDownEnabled: false }, diskGB: { enabled: false } }

/**
 * A hardware spec of `nodeCount` nodes: AWS `{instanceSize, diskIOPS, diskSizeGB, ebsVolumeType, nodeCount}`,
 * Azure and GCP `{instanceSize, diskSizeGB, nodeCount}`; `withDisk` false leaves `diskSizeGB` out (2023-02-01,
 * where it is a top-level field).
 */
export function hardwareSpec(d: Deployment, nodeCount: number, withDisk: boolean): object {
  const aws = d.provider === 'AWS'
  return {
    instanceSize: d.instanceSize,
    ...(aws ? { diskIOPS: d.diskIOPS } : {}),
    ...(withDisk ? { diskSizeGB: double(d.diskSizeGB) } : {}),
    ...(aws ? { ebsVolumeType: 'STANDARD' } : {}),
    nodeCount,
  }
}

/**
 * The one region config of a Waymark cluster: 3 electable nodes at priority 7, no read-only or analytics
 * nodes, autoscaling off. 2024-08-05 (`v2024`) puts the disk size in each spec and, inside
 * `replicationSpecs` (`effective`), repeats the specs as `effective*Specs`.
 */
export function regionConfig(d: Deployment, v2024: boolean, effective: boolean): object {
  const spec = (n: number) => hardwareSpec(d, n, v2024)
  return {
    analyticsSpecs: spec(0),
    autoScaling: AUTO_SCALING_OFF,
    ...(effective ? { effectiveAnalyticsSpecs: spec(0), effectiveElectableSpecs: spec(3), effectiveReadOnlySpecs: spec(0) } : {}),
    electableSpecs: spec(3),
    priority: 7,
    providerName: d.provider,
    readOnlySpecs: spec(0),
    regionName: d.region,
  }
}

/** The v1.0 region map (`replicationSpec`, `regionsConfig`): the region → 3 electable nodes. */
export function regionsMap(d: Deployment): object {
  return { [d.region]: { analyticsNodes: 0, electableNodes: 3, priority: 7, readOnlyNodes: 0 } }
}

/** The v1.0 `providerSettings`: `providerName` first (Jackson writes the type property first), then alphabetical. */
export function providerSettings(d: Deployment): object {
  if (d.provider === 'AWS') {
    return { providerName: 'AWS', diskIOPS: d.diskIOPS, encryptEBSVolume: true, instanceSizeName: d.instanceSize, regionName: d.region, volumeType: 'STANDARD' }
  }
  return { providerName: d.provider, instanceSizeName: d.instanceSize, regionName: d.region }
}
