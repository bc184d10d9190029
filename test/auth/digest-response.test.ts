import { describe, test } from 'node:test'
import { strict as assert } from 'node:assert'
import { parseDigestAuthorization } from '../../src/auth/digest-header.js'
import type { DigestAuthorization } from '../../src/auth/digest-header.js'
import {
  DIGEST_REALM,
  digestHa1,
  expectedDigestResponse,
  verifyDigestResponse,
} from '../../src/auth/digest-response.js'

const RFC_HA1 = digestHa1('Mufasa', 'http-auth@example.org', 'Circle of Life')

describe('RFC 7616 section 3.9.1, MD5', () => {
  test('HA1 is lower-case hex of username:realm:password', () => {
    assert.match(RFC_HA1, /^[0-9a-f]{32}$/)
  })

  test('the example response', () => {
    const response = expectedDigestResponse({
      ha1: RFC_HA1,
      method: 'GET',
      uri: '/dir/index.html',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      nc: '00000001',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      qop: 'auth',
    })
    assert.equal(response, '8ca523f5e9506fed4657c9700eebdbec')
  })

  test('the example header parses to the same response', () => {
    const auth = parseDigestAuthorization(
      'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, ' +
        'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' +
        'response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    )
    assert.ok(auth?.nc !== undefined && auth.cnonce !== undefined && auth.qop !== undefined)
    const { uri, nonce, nc, cnonce, qop } = auth
    assert.equal(expectedDigestResponse({ ha1: RFC_HA1, method: 'GET', uri, nonce, nc, cnonce, qop }), auth.response)
  })
})

describe('verifyDigestResponse', () => {
  const ha1 = digestHa1('abcdefgh', DIGEST_REALM, '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')
  const base = {
    username: 'abcdefgh',
    realm: DIGEST_REALM,
    nonce: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    uri: '/api/atlas/v2/groups',
    nc: '00000001',
    cnonce: 'c0ffee',
    qop: 'auth',
  }
  const signed = (over: Partial<DigestAuthorization> = {}): DigestAuthorization => {
    const fields = { ...base, ...over }
    const response = expectedDigestResponse({
      ha1,
      method: 'GET',
      uri: fields.uri,
      nonce: fields.nonce,
      nc: fields.nc,
      cnonce: fields.cnonce,
      qop: fields.qop,
    })
    return { ...fields, response }
  }

  test('accepts a correct response', () => {
    assert.equal(verifyDigestResponse(signed(), ha1, 'GET'), true)
    assert.equal(verifyDigestResponse({ ...signed(), algorithm: 'MD5' }, ha1, 'GET'), true)
    assert.equal(verifyDigestResponse({ ...signed(), algorithm: 'md5' }, ha1, 'GET'), true)
  })

  test('accepts an upper-case response and HA1', () => {
    const auth = signed()
    const upper = { ...auth, response: auth.response.toUpperCase() }
    assert.equal(verifyDigestResponse(upper, ha1.toUpperCase(), 'GET'), true)
  })

  test('accepts qop in any case, hashed as sent', () => {
    assert.equal(verifyDigestResponse(signed({ qop: 'AUTH' }), ha1, 'GET'), true)
  })

  test('accepts an upper-case hex nc', () => {
    assert.equal(verifyDigestResponse(signed({ nc: '0000000A' }), ha1, 'GET'), true)
  })

  test('refuses a wrong key, method, uri or response', () => {
    const other = digestHa1('abcdefgh', DIGEST_REALM, 'wrong')
    assert.equal(verifyDigestResponse(signed(), other, 'GET'), false)
    assert.equal(verifyDigestResponse(signed(), ha1, 'POST'), false)
    assert.equal(verifyDigestResponse({ ...signed(), uri: '/api/atlas/v2/groups/x' }, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse({ ...signed(), response: '0'.repeat(32) }, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse({ ...signed(), response: 'short' }, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse({ ...signed(), response: '' }, ha1, 'GET'), false)
  })

  test('refuses another realm, algorithm or qop', () => {
    assert.equal(verifyDigestResponse(signed({ realm: 'mms public api' }), ha1, 'GET'), false)
    assert.equal(verifyDigestResponse({ ...signed(), algorithm: 'SHA-256' }, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse({ ...signed(), algorithm: 'MD5-sess' }, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse(signed({ qop: 'auth-int' }), ha1, 'GET'), false)
  })

  test('refuses a missing qop, nc or cnonce', () => {
    const { qop: _qop, ...noQop } = signed()
    const { nc: _nc, ...noNc } = signed()
    const { cnonce: _cnonce, ...noCnonce } = signed()
    assert.equal(verifyDigestResponse(noQop, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse(noNc, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse(noCnonce, ha1, 'GET'), false)
    assert.equal(verifyDigestResponse(signed({ cnonce: '' }), ha1, 'GET'), false)
  })

  test('refuses an nc that is not 8 hex digits', () => {
    for (const nc of ['1', '0000001', '000000001', '0000000g', '+0000001']) {
      assert.equal(verifyDigestResponse(signed({ nc }), ha1, 'GET'), false, nc)
    }
  })

  test('refuses a malformed HA1', () => {
    assert.equal(verifyDigestResponse(signed(), 'not-hex', 'GET'), false)
  })
})
