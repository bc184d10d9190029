/**
 * Matches a raw request path against path templates segment by segment.
 *
 * Written by hand instead of using Fastify's router for the API paths because the real API's rules
 * need each parameter decoded on its own: find-my-way rejects the whole URL when any segment is not
 * valid percent-encoding, while the API answers the error of that parameter (e.g. INVALID_GROUP_ID for
 * `%zz` as a group id). Literal segments compare exactly; parameters are percent-decoded once.
 */

/** A path template such as `/api/atlas/v2/groups/{groupId}/clusters/{clusterName}`. */
export interface PathTemplate<R> {
  readonly template: string
  readonly methods: readonly string[]
  readonly route: R
}

export interface PathParam {
  /** The segment as sent, still percent-encoded. */
  readonly raw: string
  /** The decoded value; undefined when the segment is not valid percent-encoded UTF-8. */
  readonly value: string | undefined
}

export type MatchResult<R> =
  | { readonly kind: 'match'; readonly route: R; readonly params: Readonly<Record<string, PathParam>> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' }

interface CompiledTemplate<R> {
  readonly segments: readonly ({ readonly literal: string } | { readonly param: string })[]
  readonly methods: readonly string[]
  readonly route: R
}

export class RouteMatcher<R> {
  readonly #templates: readonly CompiledTemplate<R>[]

  constructor(templates: readonly PathTemplate<R>[]) {
    this.#templates = templates.map((t) => ({
      segments: t.template
        .split('/')
        .slice(1)
        .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s })),
      methods: t.methods,
      route: t.route,
    }))
  }

  /** `path` is the request target's path, without the query string. */
  match(method: string, path: string): MatchResult<R> {
    if (!path.startsWith('/')) return { kind: 'not-found' }
    const parts = path.split('/').slice(1)
    let allow: string[] | undefined
    for (const template of this.#templates) {
      const params = matchSegments(template, parts)
      if (!params) continue
      if (template.methods.includes(method)) return { kind: 'match', route: template.route, params }
      allow = [...(allow ?? []), ...template.methods]
    }
    return allow ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' }
  }
}

function matchSegments<R>(template: CompiledTemplate<R>, parts: readonly string[]): Record<string, PathParam> | undefined {
  if (parts.length !== template.segments.length) return undefined
  const params: Record<string, PathParam> = {}
  for (let i = 0; i < parts.length; i++) {
    const segment = template.segments[i]
    const part = parts[i] as string
    if (segment === undefined) return undefined
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined
    } else {
      params[segment.param] = { raw: part, value: safeDecode(part) }
    }
  }
  return params
}

/** decodeURIComponent that answers undefined instead of throwing on malformed input. */
export function safeDecode(text: string): string | undefined {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
