import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Credentials } from '../helpers/digest-client.js'
import { IDS } from '../helpers/fixtures.js'
import { callAs, getToken, type Caller, type InjectExtras } from '../helpers/oauth.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

type ListName = 'ipv4' | 'ipv4Cidr' | 'ipv6' | 'ipv6Cidr' | 'mappedCidr'

interface ListCase {
  readonly entries: readonly string[]
  readonly key: Credentials
  readonly clientId: string
  readonly allowed: readonly string[]
  readonly refused: readonly string[]
}

const LISTS: Record<ListName, ListCase> = {
  ipv4: {
    entries: ['203.0.113.7'],
    key: { publicKey: 'aclalpha', privateKey: 'a1000000-0000-4000-8000-000000000001' },
    clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e701',
    allowed: ['203.0.113.7', '::ffff:203.0.113.7'],
    refused: ['203.0.113.8', '127.0.0.1', '203.0.113.70', '2001:db8::7'],
  },
  ipv4Cidr: {
    entries: ['198.51.100.0/24'],
    key: { publicKey: 'aclbravo', privateKey: 'a1000000-0000-4000-8000-000000000002' },
    clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e702',
    allowed: ['198.51.100.0', '198.51.100.42', '198.51.100.255', '::ffff:198.51.100.42'],
    refused: ['198.51.101.0', '198.51.99.255', '127.0.0.1'],
  },
  ipv6: {
    entries: ['2001:db8::7'],
    key: { publicKey: 'aclcharl', privateKey: 'a1000000-0000-4000-8000-000000000003' },
    clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e703',
    allowed: ['2001:db8::7', '2001:db8:0:0:0:0:0:7'],
    refused: ['2001:db8::8', '2001:db8::70', '::1', '203.0.113.7'],
  },
  ipv6Cidr: {
    entries: ['2001:db8:1::/48'],
    key: { publicKey: 'acldelta', privateKey: 'a1000000-0000-4000-8000-000000000004' },
    clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e704',
    allowed: ['2001:db8:1::1', '2001:db8:1:ffff:ffff:ffff:ffff:ffff'],
    refused: ['2001:db8:2::1', '2001:db8::1', '::1', '127.0.0.1'],
  },
  mappedCidr: {
    entries: ['::ffff:192.0.2.0/120'],
    key: { publicKey: 'aclechoo', privateKey: 'a1000000-0000-4000-8000-000000000005' },
    clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e705',
    allowed: ['192.0.2.5', '::ffff:192.0.2.5', '192.0.2.255'],
    refused: ['192.0.3.5', '127.0.0.1'],
  },
}

const NAMES = Object.keys(LISTS) as ListName[]
const secretOf = (name: ListName): string => `mdb_sa_sk_acl-${name}`
const ROLES = [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }]

const FIXTURE = {
  apiKeys: NAMES.map((name) => ({
    publicKey: LISTS[name].key.publicKey,
    privateKey: LISTS[name].key.privateKey,
    orgId: IDS.orgA,
    roles: ROLES,
    accessList: LISTS[name].entries,
  })),
  serviceAccounts: NAMES.map((name) => ({
    clientId: LISTS[name].clientId,
    clientSecret: secretOf(name),
    orgId: IDS.orgA,
    roles: ROLES,
    accessList: LISTS[name].entries,
  })),
}

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`

function assertRefused(res: CallResult, address: string): void {
  assert.equal(res.status, 403, res.body)
  assert.equal(
    res.body,
    `{"detail":"IP address ${address} is not allowed to access this resource.","error":403,"errorCode":"IP_ADDRESS_NOT_ON_ACCESS_LIST","parameters":["${address}"],"reason":"Forbidden"}`,
  )
  assertSchema('ApiError', res.json())
  assert.equal(res.headers['x-error-code'], 'IP_ADDRESS_NOT_ON_ACCESS_LIST')
  assert.equal(res.headers['content-type'], 'application/json')
  assert.equal(res.headers['ratelimit-limit'], undefined)
  assert.equal(res.headers['ratelimit-remaining'], undefined)
}

function assertServed(res: CallResult, context: string): void {
  assert.equal(res.status, 200, `${context}: ${res.body}`)
}

function assertError(res: CallResult, status: number, errorCode: string): void {
  assert.equal(res.status, status, res.body)
  const body = res.json()
  assertSchema('ApiError', body)
  assert.equal(body.errorCode, errorCode)
}

async function callers(t: TestApp, name: ListName): Promise<[string, Caller][]> {
  const token = await getToken(t, LISTS[name].clientId, secretOf(name))
  return [
    ['API key', { key: LISTS[name].key }],
    ['service account', { token }],
  ]
}

describe('API access lists', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ fixtures: [FIXTURE] })
  })
  after(() => t.close())

  for (const name of NAMES) {
    test(`${name} ${LISTS[name].entries.join(', ')}: addresses inside are served, others refused with the address`, async () => {
      for (const [kind, caller] of await callers(t, name)) {
        for (const remoteAddress of LISTS[name].allowed) {
          for (const url of [V2, V1, OM]) assertServed(await callAs(t, url, caller, { remoteAddress }), `${kind} from ${remoteAddress} on ${url}`)
        }
        for (const remoteAddress of LISTS[name].refused) {
          for (const url of [V2, V1, OM]) assertRefused(await callAs(t, url, caller, { remoteAddress }), remoteAddress)
        }
      }
    })
  }

  test('a caller without an access list is served from anywhere', async () => {
    for (const remoteAddress of ['127.0.0.1', '203.0.113.8', '2001:db8::8', '::ffff:10.0.0.1']) {
      assertServed(await callAs(t, V2, { key: { publicKey: 'demoread', privateKey: '3f1c6a52-8d2e-4b7a-9c41-5e0d2b7f9a13' } }, { remoteAddress }), remoteAddress)
    }
  })

  test('a refused IPv4-mapped peer is named in its IPv4 form', async () => {
    for (const [, caller] of await callers(t, 'ipv4')) {
      assertRefused(await callAs(t, V2, caller, { remoteAddress: '::ffff:203.0.113.8' }), '203.0.113.8')
    }
  })

  test('without trusted proxies X-Forwarded-For is ignored: it neither lets a caller in nor shuts one out', async () => {
    for (const [, caller] of await callers(t, 'ipv4')) {
      assertRefused(await callAs(t, V2, caller, { headers: { 'x-forwarded-for': '203.0.113.7' } }), '127.0.0.1')
      assertServed(await callAs(t, V2, caller, { remoteAddress: '203.0.113.7', headers: { 'x-forwarded-for': '192.0.2.99' } }), 'listed peer')
    }
  })

  describe('order of checks', () => {
    const GROUP = '/api/atlas/v2/groups'
    const refusedFrom: InjectExtras = { remoteAddress: '192.0.2.200' }

    test('authentication, media type, path and query syntax come before the access list', async () => {
      for (const [, caller] of await callers(t, 'ipv4')) {
        const anonymous = await callAs(t, V2, null, refusedFrom)
        assert.equal(anonymous.status, 401)
        assert.ok(String(anonymous.headers['www-authenticate']).startsWith('Digest '))
        assertError(await callAs(t, V2, caller, { ...refusedFrom, accept: 'application/json' }), 406, 'INVALID_VERSION_DATE')
        assertError(await callAs(t, `${GROUP}/nothex/clusters/Cluster0/backupCheckpoints`, caller, refusedFrom), 404, 'INVALID_GROUP_ID')
        assertError(await callAs(t, `/api/public/v1.0/groups/${IDS.projectA}/clusters/nothex/checkpoints`, caller, refusedFrom), 404, 'INVALID_CLUSTER_ID')
        assertError(await callAs(t, `${V2}/nothex`, caller, refusedFrom), 404, 'INVALID_CHECKPOINT_ID')
        assertError(await callAs(t, `${V2}?pageNum=0`, caller, refusedFrom), 400, 'INVALID_QUERY_PARAMETER')
      }
    })

    test('the access list comes before group existence, role and cluster lookups', async () => {
      for (const [, caller] of await callers(t, 'ipv4')) {
        assertRefused(await callAs(t, `${GROUP}/ffffffffffffffffffffffff/clusters/Cluster0/backupCheckpoints`, caller, refusedFrom), '192.0.2.200')
        assertRefused(await callAs(t, `${GROUP}/${IDS.projectB}/clusters/Cluster0/backupCheckpoints`, caller, refusedFrom), '192.0.2.200')
        assertRefused(await callAs(t, `${GROUP}/${IDS.projectA}/clusters/Nope/backupCheckpoints`, caller, refusedFrom), '192.0.2.200')
        assertRefused(await callAs(t, `${V2}/ffffffffffffffffffffffff`, caller, refusedFrom), '192.0.2.200')
        assertError(await callAs(t, `${GROUP}/ffffffffffffffffffffffff/clusters/Cluster0/backupCheckpoints`, caller, { remoteAddress: '203.0.113.7' }), 404, 'GROUP_NOT_FOUND')
        assertError(await callAs(t, `${GROUP}/${IDS.projectB}/clusters/Cluster0/backupCheckpoints`, caller, { remoteAddress: '203.0.113.7' }), 401, 'USER_UNAUTHORIZED')
      }
    })
  })
})

describe('API access lists behind trusted proxies', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ fixtures: [FIXTURE], env: { WAYMARK_TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16, fd00::/8' } })
  })
  after(() => t.close())

  const via = (remoteAddress: string, forwardedFor: string): InjectExtras => ({ remoteAddress, headers: { 'x-forwarded-for': forwardedFor } })

  test('from a trusted proxy, the client named by X-Forwarded-For is checked', async () => {
    for (const [, caller] of await callers(t, 'ipv4')) {
      assertServed(await callAs(t, V2, caller, via('10.0.0.1', '203.0.113.7')), 'listed client via proxy')
      assertServed(await callAs(t, OM, caller, via('10.1.2.3', '203.0.113.7')), 'listed client via proxy in a trusted block')
      assertServed(await callAs(t, V1, caller, via('fd00::1', '203.0.113.7')), 'listed client via an IPv6 proxy')
      assertServed(await callAs(t, V2, caller, via('::ffff:10.0.0.1', '203.0.113.7')), 'listed client via a mapped proxy address')
      assertRefused(await callAs(t, V2, caller, via('10.0.0.1', '203.0.113.99')), '203.0.113.99')
      assertRefused(await callAs(t, V2, caller, via('10.0.0.1', '::ffff:203.0.113.99')), '203.0.113.99')
      assertServed(await callAs(t, V2, caller, via('10.0.0.1', '::ffff:203.0.113.7')), 'listed client in mapped form via proxy')
      assertRefused(await callAs(t, OM, caller, via('10.1.0.9', '198.51.100.1')), '198.51.100.1')
    }
  })

  test('X-Forwarded-For is read from the right, skipping trusted proxies only', async () => {
    for (const [, caller] of await callers(t, 'ipv4')) {
      assertServed(await callAs(t, V2, caller, via('10.0.0.1', '198.51.100.1, 203.0.113.7, 10.1.0.5')), 'client behind two proxies')
      assertServed(await callAs(t, V2, caller, via('10.0.0.1', '203.0.113.7,10.1.0.5, 10.0.0.1')), 'chain of trusted proxies')
      assertRefused(await callAs(t, V2, caller, via('10.0.0.1', '203.0.113.7, 198.51.100.1')), '198.51.100.1')
    }
  })

  test('a trusted proxy that names no client is itself the caller', async () => {
    for (const [, caller] of await callers(t, 'ipv4')) {
      assertRefused(await callAs(t, V2, caller, { remoteAddress: '10.0.0.1' }), '10.0.0.1')
      assertRefused(await callAs(t, V2, caller, via('10.0.0.1', 'not-an-address')), '10.0.0.1')
    }
  })

  test('from an untrusted peer, X-Forwarded-For is ignored both ways', async () => {
    for (const [, caller] of await callers(t, 'ipv4')) {
      assertRefused(await callAs(t, V2, caller, via('192.0.2.200', '203.0.113.7')), '192.0.2.200')
      assertRefused(await callAs(t, V2, caller, via('10.2.0.1', '203.0.113.7')), '10.2.0.1')
      assertRefused(await callAs(t, V2, caller, via('192.0.2.200', '203.0.113.7, 10.0.0.1')), '192.0.2.200')
      assertServed(await callAs(t, V2, caller, via('203.0.113.7', '192.0.2.200')), 'listed untrusted peer with a spoofed header')
    }
  })

  test('service accounts and keys with IPv6 lists are checked against the forwarded client too', async () => {
    for (const [, caller] of await callers(t, 'ipv6Cidr')) {
      assertServed(await callAs(t, V2, caller, via('10.0.0.1', '2001:db8:1::42')), 'IPv6 client via proxy')
      assertRefused(await callAs(t, V2, caller, via('10.0.0.1', '2001:db8:2::42')), '2001:db8:2::42')
      assertRefused(await callAs(t, V2, caller, via('10.0.0.1', '2001:DB8:2:0:0:0:0:42')), '2001:db8:2::42')
    }
  })
})
