/**
 * The restore-job part of the error catalogue (src/errors.ts, which spreads it into ERRORS): the errors of
 * creating, reading and ending restore jobs and of downloading their files, in the order of P-R2 where
 * they belong to it. docs/errors.md, "Restore job errors", documents each entry.
 */
export const RESTORE_JOB_ERRORS = {
  INVALID_JOB_ID: { status: 404, errorCode: 'INVALID_JOB_ID', detail: 'An invalid restore job ID %s was specified.' },
  RESTORE_JOB_NOT_FOUND: { status: 404, errorCode: 'RESTORE_JOB_NOT_FOUND', detail: 'No restore job with ID %s exists for cluster %s.' },
  MISSING_ATTRIBUTE: { status: 400, errorCode: 'MISSING_ATTRIBUTE', detail: 'The required attribute %s was not specified.' },
  MISSING_ONE_OF_ATTRIBUTES: {
    status: 400,
    errorCode: 'MISSING_ONE_OF_ATTRIBUTES',
    detail: 'Either the %s attribute or the %s attribute must be specified.',
  },
  MISSING_ONE_OF_MANY_ATTRIBUTES: {
    status: 400,
    errorCode: 'MISSING_ONE_OF_MANY_ATTRIBUTES',
    detail: 'One of the following required attributes may not have been specified: %s.',
  },
  ATTRIBUTE_NEGATIVE_OR_ZERO: { status: 400, errorCode: 'ATTRIBUTE_NEGATIVE_OR_ZERO', detail: 'The attribute %s cannot be negative or zero.' },
  INVALID_DELIVERY_SCP: { status: 400, errorCode: 'INVALID_DELIVERY_SCP', detail: 'SCP restores are no longer supported.' },
  UNSUPPORTED_DELIVERY_METHOD: { status: 400, errorCode: 'UNSUPPORTED_DELIVERY_METHOD', detail: 'The specified delivery method is not supported.' },
  LEGACY_PIT_RESTORE_UNSUPPORTED: {
    status: 400,
    errorCode: 'LEGACY_PIT_RESTORE_UNSUPPORTED',
    detail: 'Non-automated non-client PIT restores are not supported via API for this group.',
  },
  CHECKPOINT_RESTORE_UNSUPPORTED_FOR_REPLICA_SETS: {
    status: 400,
    errorCode: 'CHECKPOINT_RESTORE_UNSUPPORTED_FOR_REPLICA_SETS',
    detail: 'Checkpoint restores are not supported for replica sets.',
  },
  PIT_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS: {
    status: 400,
    errorCode: 'PIT_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS',
    detail: 'PIT restores are only supported for replica sets; please specify a checkpoint instead.',
  },
  OPLOG_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS: {
    status: 400,
    errorCode: 'OPLOG_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS',
    detail: 'Oplog restores are only supported for replica sets.',
  },
  CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT: {
    status: 409,
    errorCode: 'CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT',
    detail: 'Cannot start restore job for incomplete cluster snapshot.',
  },
  NO_CHECKPOINT_FOR_PIT_RESTORE: {
    status: 409,
    errorCode: 'NO_CHECKPOINT_FOR_PIT_RESTORE',
    detail: 'A suitable checkpoint could not be found for the specified point-in time restore.',
  },
  INVALID_PIT_RESTORE_TIME: { status: 400, errorCode: 'INVALID_PIT_RESTORE_TIME', detail: 'Please provide a valid UTC time or an operation time (ts).' },
  UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME: {
    status: 404,
    errorCode: 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME',
    detail: 'Unable to find snapshot prior to pit restore optime.',
  },
  LINK_EXPIRATION_AFTER_SNAPSHOT_DELETION: {
    status: 409,
    errorCode: 'LINK_EXPIRATION_AFTER_SNAPSHOT_DELETION',
    detail: 'Cannot set HTTP link expiration time after snapshot deletion time.',
  },
  CANNOT_RESTORE_TO_TARGET: {
    status: 403,
    errorCode: 'CANNOT_RESTORE_TO_TARGET',
    detail: 'Cannot restore with insufficient permission on source snapshot or target cluster.',
  },
  ATLAS_CLUSTER_RESTORE_IN_PROGRESS: { status: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', detail: 'Cluster restore already in progress.' },
  RESTORE_DOWNLOAD_NOT_FOUND: { status: 404, errorCode: 'RESTORE_DOWNLOAD_NOT_FOUND', detail: 'No restore file %s is available for download.' },
  RESTORE_DOWNLOAD_EXPIRED: { status: 410, errorCode: 'RESTORE_DOWNLOAD_EXPIRED', detail: 'The download link of restore job %s expired at %s.' },
  RESTORE_DOWNLOAD_LIMIT_REACHED: {
    status: 410,
    errorCode: 'RESTORE_DOWNLOAD_LIMIT_REACHED',
    detail: 'The download link of restore job %s was used %s times, its maximum.',
  },
  RESTORE_DOWNLOAD_UNAUTHORIZED: {
    status: 401,
    errorCode: 'RESTORE_DOWNLOAD_UNAUTHORIZED',
    detail: 'The download of restore job %s needs its Authorization header.',
  },
  RESTORE_JOB_NOT_IN_PROGRESS: { status: 409, errorCode: 'RESTORE_JOB_NOT_IN_PROGRESS', detail: 'Restore job %s is %s, not IN_PROGRESS.' },
} as const
