import { useEffect, useState } from 'preact/hooks'

/**
 * Where the console is, in the URL's fragment (`#/cluster/{groupId}/{clusterId}`): the server serves one
 * page, and the fragment never leaves the browser.
 */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'cluster'; readonly groupId: string; readonly clusterId: string; readonly checkpointId?: string }
  | { readonly page: 'access' }

const ID = '([0-9a-f]{24})'
const CLUSTER = new RegExp(`^#/cluster/${ID}/${ID}(?:/checkpoint/${ID})?$`)

export function parseRoute(hash: string): Route {
  const cluster = CLUSTER.exec(hash)
  if (cluster) {
    const [, groupId = '', clusterId = '', checkpointId] = cluster
    return checkpointId ? { page: 'cluster', groupId, clusterId, checkpointId } : { page: 'cluster', groupId, clusterId }
  }
  if (hash === '#/access') return { page: 'access' }
  return { page: 'overview' }
}

export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/'
    case 'access':
      return '#/access'
    case 'cluster':
      return `#/cluster/${route.groupId}/${route.clusterId}${route.checkpointId ? `/checkpoint/${route.checkpointId}` : ''}`
  }
}

export function navigate(route: Route): void {
  location.hash = href(route)
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash))
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return route
}
