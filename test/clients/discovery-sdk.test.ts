import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { CLI, servingUrl } from '../helpers/cli-process.js'
import { discoverySchemaErrors } from '../helpers/discovery-openapi.js'
import { IDS } from '../helpers/fixtures.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'

const run = promisify(execFile)
const CLIENT_ID = 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5ab'
const CLIENT_SECRET = 'mdb_sa_sk_discovery-sdk-secret'

/**
 * The MongoDB MCP server's Atlas client (npm `@mongodb-js/mcp-atlas-api-client`, an official MongoDB
 * package) calling the v2 discovery operations with its own methods, a service account's token and its
 * 2025-03-12 Accept, in its own process (it reads SSL_CERT_FILE, as in real use) against a real
 * `waymark serve` over HTTPS. Each answer it decodes is checked against the upstream schema.
 */
const MCP_DISCOVERY = `
import { ApiClient, ClientCredentialsAuthProvider } from '@mongodb-js/mcp-atlas-api-client'
import { getDefaultHttpClient } from '@mongodb-js/mcp-fetch'
import { NoopLogger } from '@mongodb-js/mcp-core'
const { WM_BASE: baseUrl, WM_ID: clientId, WM_SECRET: clientSecret } = process.env
const httpClient = getDefaultHttpClient()
const logger = new NoopLogger()
const authProvider = new ClientCredentialsAuthProvider({ clientId, clientSecret, baseUrl, userAgent: 'waymark-test', httpClient }, logger)
const api = new ApiClient({ options: { baseUrl, userAgent: 'waymark-test', httpClient }, logger, authProvider })
const groups = await api.listGroups()
const project = groups.results.find((g) => g.name === 'Demo Project')
const groupId = project.id
console.log(JSON.stringify({
  groups,
  group: await api.getGroup({ params: { path: { groupId } } }),
  clusters: await api.listClusters({ params: { path: { groupId } } }),
  cluster: await api.getCluster({ params: { path: { groupId, clusterName: 'Cluster0' } } }),
  orgs: await api.listOrgs(),
  orgGroups: await api.getOrgGroups({ params: { path: { orgId: project.orgId } } }),
  details: await api.listClusterDetails(),
}))
`

describe('an official npm client discovers through its own methods', () => {
  let dir: string
  let store: FreshStore
  let server: ChildProcess
  let base: string
  let cert: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-sdk-'))
    store = await freshStore('sdk')
    cert = join(dir, 'cert.pem')
    const key = join(dir, 'key.pem')
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'])
    const fixture = join(dir, 'service-account.json')
    await writeFile(fixture, JSON.stringify({ serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, orgId: IDS.orgA, roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }] }] }))
    server = spawn(process.execPath, [CLI, 'serve', '--demo', '--no-produce', '--fixtures', fixture, '--port', '0', '--store', store.url, '--tls-cert', cert, '--tls-key', key, '--log-level', 'silent'])
    base = await servingUrl(server)
  })
  after(async () => {
    const exited = new Promise((resolve) => server.on('exit', resolve))
    server.kill('SIGTERM')
    await exited
    await rm(dir, { recursive: true, force: true })
    await store.drop()
  })

  test('the MCP server Atlas client: listGroups, getGroup, listClusters, getCluster, listOrgs, getOrgGroups, listClusterDetails', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', MCP_DISCOVERY], {
      env: { ...process.env, SSL_CERT_FILE: cert, NODE_EXTRA_CA_CERTS: cert, WM_BASE: base, WM_ID: CLIENT_ID, WM_SECRET: CLIENT_SECRET },
    })
    const got = JSON.parse(stdout)
    const schemas: Record<string, string> = {
      groups: 'PaginatedAtlasGroupView',
      group: 'Group',
      clusters: 'PaginatedClusterDescription20240805',
      cluster: 'ClusterDescription20240805',
      orgs: 'PaginatedOrganizationView',
      orgGroups: 'PaginatedAtlasGroupView',
      details: 'PaginatedOrgGroupView',
    }
    for (const [name, schema] of Object.entries(schemas)) assert.deepEqual(discoverySchemaErrors(schema, got[name]), [], name)
    assert.deepEqual(got.groups.results.map((g: { name: string }) => g.name), ['Demo Project'])
    assert.equal(got.cluster.replicationSpecs.length, 3, 'the 2024-08-05 body: a replication spec per shard')
    assert.equal(got.clusters.totalCount, 4)
    assert.deepEqual(got.orgs.results.map((o: { id: string }) => o.id), [IDS.orgA])
    assert.equal(got.details.results[0].clusters.length, 4)
  })
})
