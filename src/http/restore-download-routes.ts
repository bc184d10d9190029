/**
 * The downloads of HTTP restore jobs (P-R4, docs/behaviour.md#delivery): `delivery.url` carries its secret
 * in the path (`/backup/restore/v2/pull/{jobId}/{token}/{file}`), `delivery.urlV2` needs it in an
 * `Authorization: Bearer {token}` header (`/backup/restore/v3/pull/{jobId}/{file}`). GET sends the
 * `.tar.gz` and counts the download (the first records its SHA-1); HEAD only says whether it would.
 * Errors are the API's JSON errors.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { RestoreService } from '../domain/legacy-backup/restore-service.js'
import { ApiError } from '../errors.js'
import { DEFAULT_FORMAT } from './query-params.js'
import { renderError } from './render.js'
import { isStoreUnavailable, logStoreUnavailable, renderStoreUnavailable } from './store-unavailable.js'

const BEARER = /^Bearer ([0-9a-f]{1,200})$/i

export function restoreDownloadRoutes(app: FastifyInstance, restores: RestoreService): void {
  const serve = async (reply: FastifyReply, log: FastifyReply['log'], head: boolean, jobId: string, file: string, token: string | undefined) => {
    try {
      const download = head ? await restores.peekDownload(jobId, file, token) : await restores.download(jobId, file, token)
      reply
        .code(200)
        .header('content-type', 'application/gzip')
        .header('content-disposition', `attachment; filename="${download.fileName}"`)
        .header('content-length', String(download.bytes.length))
      return head ? reply.send() : reply.send(download.bytes)
    } catch (error) {
      if (error instanceof ApiError) return send(reply, renderError(error, DEFAULT_FORMAT))
      if (isStoreUnavailable(error)) {
        logStoreUnavailable(log, error)
        return send(reply, renderStoreUnavailable(DEFAULT_FORMAT))
      }
      throw error
    }
  }
  app.route<{ Params: { jobId: string; token: string; file: string } }>({
    method: ['GET', 'HEAD'],
    url: '/backup/restore/v2/pull/:jobId/:token/:file',
    handler: (request, reply) => serve(reply, request.log, request.method === 'HEAD', request.params.jobId, request.params.file, request.params.token),
  })
  app.route<{ Params: { jobId: string; file: string } }>({
    method: ['GET', 'HEAD'],
    url: '/backup/restore/v3/pull/:jobId/:file',
    handler: (request, reply) => {
      const header = request.headers.authorization
      const token = header === undefined ? undefined : (BEARER.exec(header)?.[1] ?? '')
      return serve(reply, request.log, request.method === 'HEAD', request.params.jobId, request.params.file, token)
    },
  })
}

function send(reply: FastifyReply, response: { status: number; headers: Readonly<Record<string, string>>; body: string }): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(Buffer.from(response.body))
}
