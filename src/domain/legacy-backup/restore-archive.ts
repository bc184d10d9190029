/**
 * The file an HTTP restore delivers (P-R4): a small, deterministic `.tar.gz` holding one `manifest.json`
 * that says what the restore would contain — never data. The same job always gives the same bytes (the
 * tar entry's time is the job's timestamp, gzip's header time is 0), so its SHA-1 is stable.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { RestoreJob } from './restore-types.js'

function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000)
}

/** §5.4: `{rs}-{epochSec}-{jobId}.tar.gz`, or `config-{rs}-{clusterId}-{epochSec}-{jobId}.tar.gz` for a config server. */
export function restoreFileName(job: RestoreJob): string {
  const seconds = epochSeconds(job.timestamp.date)
  return job.configServer
    ? `config-${job.replicaSetName}-${job.clusterId}-${seconds}-${job.id}.tar.gz`
    : `${job.replicaSetName}-${seconds}-${job.id}.tar.gz`
}

/** What the archive's manifest.json says. */
export function restoreManifest(job: RestoreJob): object {
  return {
    emulator: 'Waymark',
    note: 'This archive describes what a restore of this snapshot would contain. It holds no data.',
    restoreJobId: job.id,
    batchId: job.batchId ?? null,
    groupId: job.groupId,
    clusterId: job.partClusterId,
    clusterName: job.clusterName,
    replicaSetName: job.replicaSetName,
    configServer: job.configServer,
    snapshotId: job.snapshotId,
    source: job.source,
    timestamp: job.timestamp,
    files: [],
  }
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

/** One ustar header block for a regular file. */
function tarHeader(name: string, size: number, mtime: number): Buffer {
  const header = Buffer.alloc(512, 0)
  header.write(name, 0, 100, 'utf8')
  header.write(octal(0o644, 8), 100, 'ascii')
  header.write(octal(0, 8), 108, 'ascii')
  header.write(octal(0, 8), 116, 'ascii')
  header.write(octal(size, 12), 124, 'ascii')
  header.write(octal(mtime, 12), 136, 'ascii')
  header.write('        ', 148, 'ascii')
  header.write('0', 156, 'ascii')
  header.write('ustar\0', 257, 'ascii')
  header.write('00', 263, 'ascii')
  let sum = 0
  for (const byte of header) sum += byte
  header.write(octal(sum, 7) + ' ', 148, 'ascii')
  return header
}

/** The `.tar.gz` bytes of a job's delivery. */
export function restoreArchive(job: RestoreJob): Buffer {
  const body = Buffer.from(JSON.stringify(restoreManifest(job), null, 2) + '\n', 'utf8')
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512, 0)
  const tar = Buffer.concat([tarHeader('manifest.json', body.length, epochSeconds(job.timestamp.date)), body, padding, Buffer.alloc(1024, 0)])
  const gz = gzipSync(tar, { level: 9 })
  gz[9] = 3 // gzip's OS byte: Unix on every platform, so the bytes do not depend on where Waymark runs
  return gz
}

/** The SHA-1 (hex) `hashes[].hash` shows. */
export function sha1Hex(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex')
}
