// A backup monitor, as a user writes one against MongoDB Atlas or Ops Manager (see monitor.sh, which does the
// same with curl): given a project's NAME, it discovers the project's sharded clusters on legacy backup and
// prints the newest restorable checkpoint of each: NAME<TAB>CHECKPOINT_ID<TAB>TIMESTAMP, or NAME<TAB>none.
//
//   API_PUBLIC_KEY=… API_PRIVATE_KEY=… node monitor.mjs BASE_URL API PROJECT_NAME
//
// API is atlas-v2, atlas-v1 or ops-manager. Needs the npm package digest-fetch.
import DigestClient from 'digest-fetch'

const APIS = {
  'atlas-v2': ['/api/atlas/v2', 'application/vnd.atlas.2023-01-01+json', 'application/vnd.atlas.2024-08-05+json'],
  'atlas-v1': ['/api/atlas/v1.0', 'application/json', 'application/json'],
  'ops-manager': ['/api/public/v1.0', 'application/json', 'application/json'],
}

const [base, api, project] = process.argv.slice(2)
const [prefix, accept, clustersAccept] = APIS[api] ?? []
if (prefix === undefined) {
  console.error(`monitor: unknown API ${api} (atlas-v2, atlas-v1 or ops-manager)`)
  process.exit(2)
}
const client = new DigestClient(process.env.API_PUBLIC_KEY, process.env.API_PRIVATE_KEY)

async function call(url, media = accept) {
  const response = await client.fetch(url, { headers: { Accept: media } })
  return { status: response.status, body: await response.json() }
}

async function get(url, media = accept) {
  const { status, body } = await call(url, media)
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${JSON.stringify(body)}`)
  return body
}

async function* pages(url, media = accept) {
  while (url) {
    const page = await get(url, media)
    yield page
    url = page.links.find((link) => link.rel === 'next')?.href
  }
}

const groupId = (await get(`${base}${prefix}/groups/byName/${encodeURIComponent(project)}`)).id
const clusters = `${base}${prefix}/groups/${groupId}/clusters`
const entries = []
for await (const page of pages(`${clusters}?itemsPerPage=100`, clustersAccept)) entries.push(...page.results)

let sharded
let collection = 'backupCheckpoints'
if (api === 'ops-manager') {
  sharded = []
  for (const entry of entries.filter((c) => c.typeName === 'SHARDED_REPLICA_SET')) {
    const config = await get(`${base}${prefix}/groups/${groupId}/backupConfigs/${entry.id}`)
    if (config.statusName === 'STARTED') sharded.push([entry.clusterName, entry.id])
  }
  collection = 'checkpoints'
} else if (api === 'atlas-v1') {
  sharded = entries.filter((c) => c.clusterType === 'SHARDED' && c.backupEnabled).map((c) => [c.name, c.name])
} else {
  // v2 has no legacy-backup flag: a Cloud Backup cluster answers the checkpoint list with 400.
  sharded = entries.filter((c) => c.clusterType === 'SHARDED').map((c) => [c.name, c.name])
}

const lines = []
for (const [name, ref] of sharded) {
  const url = `${clusters}/${ref}/${collection}?itemsPerPage=100`
  const first = await call(url)
  if (first.status === 400 && first.body.errorCode === 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP') continue
  let newest
  for await (const page of pages(url)) {
    newest = page.results.find((c) => c.restorable)
    if (newest) break
  }
  lines.push(newest ? `${name}\t${newest.id}\t${newest.timestamp}` : `${name}\tnone`)
}
lines.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
for (const line of lines) console.log(line)
