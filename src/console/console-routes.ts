import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ConsoleAssets, ConsoleFile } from './console-assets.js'

export interface ConsoleDeps {
  readonly assets: ConsoleAssets
  /** What any unknown path gets (the API's 404): a name the console does not have is one. */
  readonly notFound: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

/**
 * The page may load only its own files and talk only to its own server: no inline script, no other
 * origin, no framing. The admin token it holds is then out of reach of anything injected.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The console under /console/ (docs/console.md), registered only while the admin API is on: its page,
 * then its scripts and styles, from memory (console-assets.ts). GET and HEAD only; every other path or
 * method under /console is an unknown path.
 */
export async function consoleRoutes(scope: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const send = (reply: FastifyReply, request: FastifyRequest, file: ConsoleFile): FastifyReply => {
    reply.header('content-type', file.contentType).header('cache-control', file.cacheControl).header('etag', file.etag)
    reply.header('x-content-type-options', 'nosniff')
    if (file.contentType.startsWith('text/html')) {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY')
    }
    if (matches(request.headers['if-none-match'], file.etag)) return reply.code(304).send()
    return reply.code(200).send(file.body)
  }
  const index = deps.assets.get('index.html')
  scope.get('/console', async (_request, reply) => reply.code(301).header('location', '/console/').header('cache-control', 'no-cache').send())
  scope.get('/console/', async (request, reply) => (index ? send(reply, request, index) : deps.notFound(request, reply)))
  scope.get('/console/:file', async (request, reply) => {
    const name = (request.params as { file?: string }).file ?? ''
    const file = deps.assets.get(name)
    return file ? send(reply, request, file) : deps.notFound(request, reply)
  })
}

/** `If-None-Match` names the tag (or is `*`). */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`
  })
}
