/**
 * P-R2 steps 1 to 5: what a POST …/restoreJobs body asks for, checked in the decided order (first failure
 * wins), before anything is looked up. Steps 6 to 8 (topology, lookups, target) are restore-service.ts's.
 * P-G4: integers may come as JSON integers or strings of digits, within their type (int32 but for
 * `pointInTimeUTCMillis`); unknown fields (the Go clients' `checkPointId`, P-R5, and on Ops Manager
 * `delivery.targetClusterName`) and read-only ones are ignored.
 */
import { ApiError } from '../../errors.js'
import { isObjectId } from '../ids.js'
import type { IsoSeconds } from '../types.js'
import { coerceInteger, parseInstant } from './body-fields.js'
import { DELIVERY_METHODS, type DeliveryMethod, type RestoreSource } from './restore-types.js'

/** A checked request, before any lookup. */
export interface RestoreRequest {
  readonly method: 'HTTP' | 'AUTOMATED_RESTORE'
  readonly source: RestoreSource
  readonly expirationHours?: number
  readonly maxDownloads?: number
  /** Ops Manager HTTP restores only. */
  readonly expires?: IsoSeconds
  readonly target?: { readonly groupId: string; readonly clusterId?: string; readonly clusterName?: string }
}

const SCP_METHODS: ReadonlySet<DeliveryMethod> = new Set(['SCP', 'CLIENT_PIT_SCP'])
const SOURCES_TEXT = 'snapshotId, checkpointId, pointInTimeUTCMillis, oplogTs'
/** 2008-01-01T00:00:00Z, the schema's minimum of pointInTimeUTCMillis. */
const MIN_PIT_MILLIS = 1_199_145_600_000
/** 9999-12-31T23:59:59.999Z: the last instant ISO-8601 writes with a four-digit year. */
const MAX_PIT_MILLIS = 253_402_300_799_999
/** An oplog timestamp's seconds are a BSON Timestamp's: a 32-bit unsigned integer. */
const MAX_OPLOG_SECONDS = 4_294_967_295
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/

function present(value: unknown): boolean {
  return value !== undefined && value !== null
}

function isoSeconds(ms: number): IsoSeconds {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
}

/** Steps 1-5 of P-R2 for a dialect family; throws the first failure's ApiError. */
export function parseRestoreRequest(body: Readonly<Record<string, unknown>>, family: 'atlas' | 'ops-manager'): RestoreRequest {
  // 1. delivery and its method.
  const rawDelivery = body['delivery']
  if (!present(rawDelivery)) throw new ApiError('MISSING_ATTRIBUTE', ['delivery'])
  if (typeof rawDelivery !== 'object' || Array.isArray(rawDelivery)) throw new ApiError('INVALID_JSON_ATTRIBUTE', ['delivery'])
  const delivery = rawDelivery as Record<string, unknown>
  const methodName = delivery['methodName']
  if (!present(methodName)) throw new ApiError('MISSING_ATTRIBUTE', ['methodName'])
  if (typeof methodName !== 'string' || !(DELIVERY_METHODS as readonly string[]).includes(methodName)) {
    throw new ApiError('INVALID_ENUM_VALUE', [typeof methodName === 'string' ? methodName : JSON.stringify(methodName)])
  }
  // 2. Only HTTP and AUTOMATED_RESTORE go on.
  if (SCP_METHODS.has(methodName as DeliveryMethod)) throw new ApiError('INVALID_DELIVERY_SCP')
  if (methodName !== 'HTTP' && methodName !== 'AUTOMATED_RESTORE') throw new ApiError('UNSUPPORTED_DELIVERY_METHOD')
  const method = methodName

  // 3. Exactly one source.
  const oplog = present(body['oplogTs']) || present(body['oplogInc'])
  const given = [
    present(body['snapshotId']) ? 'snapshotId' : undefined,
    present(body['checkpointId']) ? 'checkpointId' : undefined,
    present(body['pointInTimeUTCMillis']) ? 'pointInTimeUTCMillis' : undefined,
    oplog ? (present(body['oplogTs']) ? 'oplogTs' : 'oplogInc') : undefined,
  ].filter((name): name is string => name !== undefined)
  const [first, second] = given
  if (first === undefined) throw new ApiError('MISSING_ONE_OF_MANY_ATTRIBUTES', [SOURCES_TEXT])
  if (second !== undefined) throw new ApiError('INVALID_ATTRIBUTE', [second])
  if (oplog && !present(body['oplogTs'])) throw new ApiError('MISSING_ATTRIBUTE', ['oplogTs'])
  if (oplog && !present(body['oplogInc'])) throw new ApiError('MISSING_ATTRIBUTE', ['oplogInc'])

  // 4. Syntax.
  const source = parseSource(body, first)
  const expirationHours = positive(delivery, 'expirationHours')
  const maxDownloads = positive(delivery, 'maxDownloads')
  const targetGroupId = optionalId(delivery, 'targetGroupId')
  const targetClusterId = optionalId(delivery, 'targetClusterId')
  // Ops Manager targets a cluster by id only: a name is an unknown field there, ignored whatever it holds.
  const rawName = family === 'atlas' ? delivery['targetClusterName'] : undefined
  if (present(rawName) && (typeof rawName !== 'string' || !CLUSTER_NAME.test(rawName))) throw new ApiError('INVALID_JSON_ATTRIBUTE', ['targetClusterName'])
  const targetClusterName = typeof rawName === 'string' ? rawName : undefined
  let expires: IsoSeconds | undefined
  if (family === 'ops-manager' && method === 'HTTP' && present(delivery['expires'])) {
    const ms = parseInstant(delivery['expires'])
    if (ms === undefined) throw new ApiError('INVALID_DATE_FORMAT', [String(delivery['expires'])])
    expires = isoSeconds(ms)
  }

  // 5. What the method needs.
  if (method === 'AUTOMATED_RESTORE') {
    if (targetGroupId === undefined) throw new ApiError('MISSING_ATTRIBUTE', ['targetGroupId'])
    if (family === 'atlas' && targetClusterId === undefined && targetClusterName === undefined) {
      throw new ApiError('MISSING_ONE_OF_ATTRIBUTES', ['targetClusterName', 'targetClusterId'])
    }
    if (family === 'ops-manager' && targetClusterId === undefined) throw new ApiError('MISSING_ATTRIBUTE', ['targetClusterId'])
    const target = {
      groupId: targetGroupId,
      ...(targetClusterId !== undefined ? { clusterId: targetClusterId } : {}),
      ...(targetClusterName !== undefined ? { clusterName: targetClusterName } : {}),
    }
    return { method, source, target }
  }
  if (source.kind !== 'snapshot') throw new ApiError('LEGACY_PIT_RESTORE_UNSUPPORTED')
  if (expires !== undefined && expirationHours !== undefined) throw new ApiError('INVALID_ATTRIBUTE', ['expires'])
  return {
    method,
    source,
    ...(expirationHours !== undefined ? { expirationHours } : {}),
    ...(maxDownloads !== undefined ? { maxDownloads } : {}),
    ...(expires !== undefined ? { expires } : {}),
  }
}

function parseSource(body: Readonly<Record<string, unknown>>, kind: string): RestoreSource {
  switch (kind) {
    case 'snapshotId':
      return { kind: 'snapshot', snapshotId: requiredId(body, 'snapshotId') }
    case 'checkpointId':
      return { kind: 'checkpoint', checkpointId: requiredId(body, 'checkpointId') }
    case 'pointInTimeUTCMillis': {
      const millis = coerceInteger(body['pointInTimeUTCMillis'], MIN_PIT_MILLIS, MAX_PIT_MILLIS)
      if (millis === undefined) throw new ApiError('INVALID_JSON_ATTRIBUTE', ['pointInTimeUTCMillis'])
      return { kind: 'pointInTime', millis, at: isoSeconds(millis) }
    }
    default: {
      const raw = body['oplogTs']
      // Epoch seconds (a number or digits), else an ISO-8601 instant; a string of digits is seconds.
      const digits = typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw))
      const seconds = digits ? coerceInteger(raw, 0, MAX_OPLOG_SECONDS) : undefined
      const ms = digits ? (seconds === undefined ? undefined : seconds * 1000) : parseInstant(raw)
      if (ms === undefined) throw new ApiError('INVALID_JSON_ATTRIBUTE', ['oplogTs'])
      // int32 (the schema's format): the type first, then the minimum.
      const increment = coerceInteger(body['oplogInc'])
      if (increment === undefined) throw new ApiError('INVALID_JSON_ATTRIBUTE', ['oplogInc'])
      if (increment < 1) throw new ApiError('ATTRIBUTE_NEGATIVE_OR_ZERO', ['oplogInc'])
      return { kind: 'oplog', at: isoSeconds(ms), increment }
    }
  }
}

function requiredId(body: Readonly<Record<string, unknown>>, name: string): string {
  const value = body[name]
  if (!isObjectId(value)) throw new ApiError('INVALID_JSON_ATTRIBUTE', [name])
  return value
}

function optionalId(delivery: Readonly<Record<string, unknown>>, name: string): string | undefined {
  return present(delivery[name]) ? requiredId(delivery, name) : undefined
}

/** An optional int32 ≥ 1: INVALID_JSON_ATTRIBUTE when not an int32, ATTRIBUTE_NEGATIVE_OR_ZERO below 1. */
function positive(delivery: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const raw = delivery[name]
  if (!present(raw)) return undefined
  const value = coerceInteger(raw)
  if (value === undefined) throw new ApiError('INVALID_JSON_ATTRIBUTE', [name])
  if (value < 1) throw new ApiError('ATTRIBUTE_NEGATIVE_OR_ZERO', [name])
  return value
}
