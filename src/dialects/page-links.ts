import type { Paging } from '../http/query-params.js'

export interface LinkView {
  readonly href: string
  readonly rel: string
}

/**
 * The links of one page of a list at `base` (an absolute URL without query): `self` ends
 * `pageNum=N&itemsPerPage=M`, `next` and `previous` (when there is such a page) end
 * `itemsPerPage=M&pageNum=N±1`; the other parameters the request carried (normalised, alphabetical) come first.
 */
export function pageLinks(base: string, carried: readonly (readonly [string, string])[], paging: Paging, totalCount: number): LinkView[] {
  const prefix = `${base}?${carried.map(([name, value]) => `${name}=${value}&`).join('')}`
  const { pageNum, itemsPerPage } = paging
  const links: LinkView[] = [{ href: `${prefix}pageNum=${pageNum}&itemsPerPage=${itemsPerPage}`, rel: 'self' }]
  if (pageNum * itemsPerPage < totalCount) links.push({ href: `${prefix}itemsPerPage=${itemsPerPage}&pageNum=${pageNum + 1}`, rel: 'next' })
  if (pageNum > 1) links.push({ href: `${prefix}itemsPerPage=${itemsPerPage}&pageNum=${pageNum - 1}`, rel: 'previous' })
  return links
}

/** The items of `all` on the page `paging` asks for. */
export function pageSlice<T>(all: readonly T[], paging: Paging): readonly T[] {
  const start = (paging.pageNum - 1) * paging.itemsPerPage
  return start >= all.length ? [] : all.slice(start, start + paging.itemsPerPage)
}

/** A list body, `{links, results, totalCount}` (`totalCount` only with `includeCount`), of one page of `all`. */
export function pageOf<T>(
  base: string,
  carried: readonly (readonly [string, string])[],
  paging: Paging,
  all: readonly T[],
  view: (item: T) => object,
): object {
  const items = pageSlice(all, paging)
  return {
    links: pageLinks(base, carried, paging, all.length),
    results: items.map(view),
    totalCount: paging.includeCount ? all.length : undefined,
  }
}
