// A small checkpoint monitor: it alerts when the newest restorable checkpoint of a sharded cluster is older
// than an hour. It reads the Atlas Admin API v2 with a service account (OAuth 2.0 client credentials, then a
// Bearer token), as it would read the real service; monitor.test.js runs it against Waymark.

const ACCEPT = 'application/vnd.atlas.2023-01-01+json'
const MAX_AGE_MS = 60 * 60 * 1000
const PAGE = 100

/** An access token for a service account (POST /api/oauth/token, client credentials). */
async function accessToken(baseUrl, clientId, clientSecret) {
  const response = await fetch(`${baseUrl}/api/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  })
  if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`)
  return (await response.json()).access_token
}

/** The newest restorable checkpoint of a cluster (the list is newest first), or undefined. */
export async function newestRestorable({ baseUrl, groupId, cluster, token }) {
  for (let page = 1; ; page++) {
    const url = `${baseUrl}/api/atlas/v2/groups/${groupId}/clusters/${cluster}/backupCheckpoints?pageNum=${page}&itemsPerPage=${PAGE}`
    const response = await fetch(url, { headers: { accept: ACCEPT, authorization: `Bearer ${token}` } })
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
    const body = await response.json()
    const found = body.results.find((checkpoint) => checkpoint.restorable)
    if (found) return found
    if (page * PAGE >= body.totalCount) return undefined
  }
}

/**
 * Undefined when the cluster's newest restorable checkpoint is at most an hour old, else the alert.
 * `now` (epoch ms) is the monitor's clock: the wall clock in production; a test passes the server's.
 */
export async function check({ baseUrl, groupId, cluster, clientId, clientSecret, now = Date.now() }) {
  const token = await accessToken(baseUrl, clientId, clientSecret)
  const newest = await newestRestorable({ baseUrl, groupId, cluster, token })
  if (newest === undefined) return `${cluster}: no restorable checkpoint`
  const age = now - Date.parse(newest.timestamp)
  if (age > MAX_AGE_MS) return `${cluster}: the newest restorable checkpoint (${newest.id}) is ${Math.floor(age / 60_000)} minutes old`
  return undefined
}
