/**
 * `waymark/testing`: Waymark for test suites (README, "In your tests"). `startWaymark` starts a server for
 * a test and answers its URLs and a typed admin client; `WaymarkAdmin` is that client on its own, for a
 * server started otherwise (a CI service, `waymark serve --ready-file`).
 */
export { startWaymark, type RunningWaymark, type StartWaymarkOptions } from './start-waymark.js'
export {
  WaymarkAdmin,
  WaymarkAdminError,
  type ApiKeyInput,
  type ApiKeyView,
  type CheckpointInput,
  type ClockState,
  type ClusterInput,
  type Counts,
  type CreatedApiKey,
  type CreatedServiceAccount,
  type HistoryResult,
  type Page,
  type ServiceAccountInput,
  type ServiceAccountView,
} from './admin-client.js'
export type { Checkpoint, CheckpointPart, Cluster, Organization, Project } from '../domain/types.js'
