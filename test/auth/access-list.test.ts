import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { AccessList, canonicalAddress, clientAddress, parseAccessListEntry } from '../../src/auth/access-list.js'

function normalised(entry: string): string {
  const result = parseAccessListEntry(entry)
  assert.ok(result.ok, `${entry}: ${result.ok ? '' : result.error}`)
  return result.value
}

function refusal(entry: string): string {
  const result = parseAccessListEntry(entry)
  assert.ok(!result.ok, `${entry} was accepted`)
  return result.error
}

describe('parseAccessListEntry', () => {
  test('accepts addresses and CIDR blocks of both families', () => {
    assert.equal(normalised('1.2.3.4'), '1.2.3.4')
    assert.equal(normalised('10.0.0.0/8'), '10.0.0.0/8')
    assert.equal(normalised('0.0.0.0/0'), '0.0.0.0/0')
    assert.equal(normalised('1.2.3.4/32'), '1.2.3.4/32')
    assert.equal(normalised('2001:db8::1'), '2001:db8::1')
    assert.equal(normalised('2001:db8::/32'), '2001:db8::/32')
    assert.equal(normalised('::/0'), '::/0')
    assert.equal(normalised('::1/128'), '::1/128')
    assert.equal(normalised(' 1.2.3.4 '), '1.2.3.4')
  })

  test('clears host bits', () => {
    assert.equal(normalised('10.1.2.3/8'), '10.0.0.0/8')
    assert.equal(normalised('192.168.1.77/26'), '192.168.1.64/26')
    assert.equal(normalised('255.255.255.255/0'), '0.0.0.0/0')
    assert.equal(normalised('2001:db8:abcd:1234::1/33'), '2001:db8:8000::/33')
    assert.equal(normalised('2001:db8::ffff/127'), '2001:db8::fffe/127')
  })

  test('writes IPv6 in RFC 5952 form', () => {
    assert.equal(normalised('2001:DB8:0:0:0:0:0:1'), '2001:db8::1')
    assert.equal(normalised('2001:0db8:0000:0001:0000:0000:0000:0001'), '2001:db8:0:1::1')
    assert.equal(normalised('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1')
    assert.equal(normalised('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1')
    assert.equal(normalised('0:0:0:0:0:0:0:0'), '::')
    assert.equal(normalised('::1.2.3.4'), '::102:304')
  })

  test('writes IPv4-mapped entries as IPv4', () => {
    assert.equal(normalised('::ffff:1.2.3.4'), '1.2.3.4')
    assert.equal(normalised('::FFFF:0102:0304'), '1.2.3.4')
    assert.equal(normalised('::ffff:10.1.2.3/104'), '10.0.0.0/8')
    assert.equal(normalised('::ffff:0:0/96'), '0.0.0.0/0')
    assert.equal(normalised('::ffff:0:0/95'), '::fffe:0:0/95')
  })

  test('refuses anything else, saying why', () => {
    assert.match(refusal(''), /^Invalid access list entry "": it is empty$/)
    assert.match(refusal('   '), /empty/)
    const notAddresses = ['example.com', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4:80', '2001:db8:::1',
      '[2001:db8::1]', '2001:db8::g', '/8', 'any', '1.2.3.4 5.6.7.8', '1.2.3.4,5.6.7.8']
    for (const entry of notAddresses) {
      assert.match(refusal(entry), /expected an IPv4 or IPv6 address, or a CIDR block/, entry)
    }
    assert.match(refusal('10.0.0.0/33'), /"10\.0\.0\.0\/33": the prefix length of an IPv4 CIDR block must be 0 to 32$/)
    assert.match(refusal('2001:db8::/129'), /IPv6 CIDR block must be 0 to 128$/)
    const badPrefixes = ['10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/08', '10.0.0.0/8.0', '10.0.0.0/ 8',
      '10.0.0.0/8/8', '10.0.0.0/1e1']
    for (const entry of badPrefixes) assert.match(refusal(entry), /prefix length/, entry)
    assert.match(refusal('fe80::1%eth0'), /zone index/)
  })
})

describe('AccessList', () => {
  test('an empty list allows everyone', () => {
    const list = AccessList.from([])
    assert.deepEqual(list.entries, [])
    assert.equal(list.allows('203.0.113.9'), true)
    assert.equal(list.allows('2001:db8::1'), true)
    assert.equal(list.includes('203.0.113.9'), false)
  })

  test('IPv4 addresses and blocks', () => {
    const list = AccessList.from(['198.51.100.7', '10.0.0.0/8'])
    assert.equal(list.allows('198.51.100.7'), true)
    assert.equal(list.allows('198.51.100.8'), false)
    assert.equal(list.allows('10.0.0.0'), true)
    assert.equal(list.allows('10.255.255.255'), true)
    assert.equal(list.allows('11.0.0.0'), false)
    assert.equal(list.allows('9.255.255.255'), false)
    assert.equal(list.allows('2001:db8::1'), false)
  })

  test('IPv6 addresses and blocks', () => {
    const list = AccessList.from(['2001:db8::1', '2001:db8:1::/48'])
    assert.equal(list.allows('2001:db8::1'), true)
    assert.equal(list.allows('2001:DB8:0:0:0:0:0:1'), true)
    assert.equal(list.allows('2001:db8::2'), false)
    assert.equal(list.allows('2001:db8:1:ffff::1'), true)
    assert.equal(list.allows('2001:db8:2::1'), false)
    assert.equal(list.allows('1.2.3.4'), false)
  })

  test('IPv4-mapped IPv6 addresses match IPv4 entries', () => {
    const list = AccessList.from(['198.51.100.7', '10.0.0.0/8'])
    assert.equal(list.allows('::ffff:198.51.100.7'), true)
    assert.equal(list.allows('::ffff:10.20.30.40'), true)
    assert.equal(list.allows('::FFFF:a14:1e28'), true)
    assert.equal(list.allows('::ffff:198.51.100.8'), false)
    assert.equal(list.allows('::198.51.100.7'), false)
  })

  test('an IPv4 client is its mapped IPv6 address', () => {
    assert.equal(AccessList.from(['::ffff:198.51.100.7']).allows('198.51.100.7'), true)
    assert.equal(AccessList.from(['::ffff:0:0/95']).allows('198.51.100.7'), true)
    assert.equal(AccessList.from(['::/0']).allows('198.51.100.7'), true)
    assert.equal(AccessList.from(['2001:db8::/32']).allows('198.51.100.7'), false)
    assert.equal(AccessList.from(['0.0.0.0/0']).allows('2001:db8::1'), false)
  })

  test('refuses addresses that cannot be parsed', () => {
    const list = AccessList.from(['0.0.0.0/0', '::/0'])
    for (const address of ['', 'localhost', '1.2.3', '1.2.3.4:80', '[::1]', 'unknown']) {
      assert.equal(list.allows(address), false, address)
    }
  })

  test('ignores a zone index in the address', () => {
    assert.equal(AccessList.from(['fe80::/10']).allows('fe80::1%eth0'), true)
  })

  test('normalises and deduplicates its entries', () => {
    const list = AccessList.from(['10.1.2.3/8', '10.0.0.0/8', '2001:DB8::1', '::ffff:1.2.3.4', '1.2.3.4'])
    assert.deepEqual(list.entries, ['10.0.0.0/8', '2001:db8::1', '1.2.3.4'])
    assert.ok(Object.isFrozen(list.entries))
  })

  test('from throws on invalid entries, naming each', () => {
    assert.throws(() => AccessList.from(['1.2.3.4', 'bogus', '10.0.0.0/40']), (error: unknown) => {
      assert.ok(error instanceof RangeError)
      assert.match(error.message, /"bogus": expected/)
      assert.match(error.message, /"10\.0\.0\.0\/40": the prefix length/)
      return true
    })
  })
})

describe('clientAddress', () => {
  const proxies = AccessList.from(['10.0.0.0/8', '2001:db8:ffff::/48'])

  test('without trusted proxies the header is ignored', () => {
    assert.equal(clientAddress('198.51.100.7', '203.0.113.9', undefined), '198.51.100.7')
    assert.equal(clientAddress('10.0.0.1', '203.0.113.9', undefined), '10.0.0.1')
    assert.equal(clientAddress(undefined, '203.0.113.9', undefined), undefined)
    assert.equal(clientAddress('198.51.100.7', undefined, proxies), '198.51.100.7')
  })

  test('an untrusted peer cannot spoof its address', () => {
    assert.equal(clientAddress('198.51.100.7', '10.0.0.5', proxies), '198.51.100.7')
    assert.equal(clientAddress('198.51.100.7', '203.0.113.9, 10.0.0.5', proxies), '198.51.100.7')
    assert.equal(clientAddress('::ffff:198.51.100.7', '203.0.113.9', proxies), '::ffff:198.51.100.7')
    assert.equal(clientAddress(undefined, '203.0.113.9', proxies), undefined)
  })

  test('an empty trusted list trusts nobody', () => {
    assert.equal(clientAddress('10.0.0.1', '203.0.113.9', AccessList.from([])), '10.0.0.1')
  })

  test('behind one trusted proxy the client is the last hop', () => {
    assert.equal(clientAddress('10.0.0.1', '203.0.113.9', proxies), '203.0.113.9')
    assert.equal(clientAddress('::ffff:10.0.0.1', '203.0.113.9', proxies), '203.0.113.9')
    assert.equal(clientAddress('2001:db8:ffff::2', '2001:db8:1::9', proxies), '2001:db8:1::9')
  })

  test('walks a chain from the right, past trusted proxies only', () => {
    assert.equal(clientAddress('10.0.0.1', '203.0.113.9, 10.0.0.2, 10.0.0.3', proxies), '203.0.113.9')
    assert.equal(clientAddress('10.0.0.1', '192.0.2.66, 203.0.113.9, 10.0.0.2', proxies), '203.0.113.9')
    assert.equal(clientAddress('10.0.0.1', '10.9.9.9, 203.0.113.9,2001:db8:ffff::1', proxies), '203.0.113.9')
    assert.equal(clientAddress('10.0.0.1', 'garbage, 203.0.113.9, 10.0.0.2', proxies), '203.0.113.9')
  })

  test('when every hop is trusted the leftmost is the client', () => {
    assert.equal(clientAddress('10.0.0.1', '10.0.0.9, 10.0.0.2', proxies), '10.0.0.9')
  })

  test('a malformed hop on the way gives the socket address', () => {
    const headers = ['', ' ', 'garbage', '203.0.113.9:4711', '203.0.113.9, bogus, 10.0.0.2', '203.0.113.9,',
      '203.0.113.9,,10.0.0.2', '[2001:db8::1]', 'unknown']
    for (const header of headers) assert.equal(clientAddress('10.0.0.1', header, proxies), '10.0.0.1', header)
  })
})

describe('canonicalAddress', () => {
  test('unmaps, compresses and drops zones', () => {
    assert.equal(canonicalAddress('::ffff:1.2.3.4'), '1.2.3.4')
    assert.equal(canonicalAddress('2001:DB8:0:0:0:0:0:1'), '2001:db8::1')
    assert.equal(canonicalAddress('fe80::1%eth0'), 'fe80::1')
    assert.equal(canonicalAddress('nope'), undefined)
  })
})
