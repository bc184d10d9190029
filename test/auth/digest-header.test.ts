import { describe, test } from 'node:test'
import { strict as assert } from 'node:assert'
import { formatDigestChallenge, parseDigestAuthorization } from '../../src/auth/digest-header.js'

const REQUIRED = 'username="pub", realm="MMS Public API", nonce="n", uri="/a", response="r"'

describe('formatDigestChallenge', () => {
  test('is exactly the header of the real API', () => {
    assert.equal(
      formatDigestChallenge('AAECAwQFBgcICQoLDA0ODxAREhMUFRYX', false),
      'Digest realm="MMS Public API", domain="", nonce="AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", algorithm=MD5, ' +
        'qop="auth", stale=false',
    )
  })

  test('says stale=true for an expired nonce', () => {
    assert.equal(
      formatDigestChallenge('a+b/c', true),
      'Digest realm="MMS Public API", domain="", nonce="a+b/c", algorithm=MD5, qop="auth", stale=true',
    )
  })

  test('splits into the parameters the Go digest library expects', () => {
    const parts = formatDigestChallenge('a+b/c', false).slice('Digest '.length).split(', ')
    assert.deepEqual(
      parts.map((part) => part.split('=')[0]),
      ['realm', 'domain', 'nonce', 'algorithm', 'qop', 'stale'],
    )
  })

  test('refuses a nonce that cannot be sent intact', () => {
    for (const nonce of ['', 'a"b', 'a\\b', 'a, b', 'a,b', 'a b', 'é']) {
      assert.throws(() => formatDigestChallenge(nonce, false), TypeError, nonce)
    }
  })
})

describe('parseDigestAuthorization', () => {
  test('the header of the Go digest library', () => {
    assert.deepEqual(
      parseDigestAuthorization(
        'Digest username="pub", realm="MMS Public API", nonce="abc+/=", uri="/api/atlas/v2/groups?pretty=true", ' +
          'response="0123456789abcdef0123456789abcdef", algorithm="MD5", cnonce="1a2b", opaque="", qop=auth, ' +
          'nc=00000001, userhash=false',
      ),
      {
        username: 'pub',
        realm: 'MMS Public API',
        nonce: 'abc+/=',
        uri: '/api/atlas/v2/groups?pretty=true',
        response: '0123456789abcdef0123456789abcdef',
        algorithm: 'MD5',
        cnonce: '1a2b',
        opaque: '',
        qop: 'auth',
        nc: '00000001',
      },
    )
  })

  test('the header of digest-fetch, without spaces', () => {
    assert.deepEqual(
      parseDigestAuthorization(
        'Digest username="pub",realm="MMS Public API",nonce="n",uri="/a",qop=auth,algorithm=MD5,' +
          'response="r",nc=0000000a,cnonce="c"',
      ),
      {
        username: 'pub',
        realm: 'MMS Public API',
        nonce: 'n',
        uri: '/a',
        qop: 'auth',
        algorithm: 'MD5',
        response: 'r',
        nc: '0000000a',
        cnonce: 'c',
      },
    )
  })

  test('quoted qop and nc, as some clients send them', () => {
    const auth = parseDigestAuthorization(`Digest ${REQUIRED}, qop="auth", nc="00000002", algorithm="MD5"`)
    assert.equal(auth?.qop, 'auth')
    assert.equal(auth?.nc, '00000002')
    assert.equal(auth?.algorithm, 'MD5')
  })

  test('optional fields are absent, not undefined', () => {
    const auth = parseDigestAuthorization(`Digest ${REQUIRED}`)
    assert.deepEqual(auth, { username: 'pub', realm: 'MMS Public API', nonce: 'n', uri: '/a', response: 'r' })
    assert.equal(auth !== undefined && 'qop' in auth, false)
  })

  test('scheme and parameter names in any case, parameters in any order', () => {
    const auth = parseDigestAuthorization(
      'dIgEsT Response="r", URI="/a", Nonce="n", REALM="MMS Public API", UserName="pub"',
    )
    assert.deepEqual(auth, { username: 'pub', realm: 'MMS Public API', nonce: 'n', uri: '/a', response: 'r' })
  })

  test('spaces and tabs around = and , and empty list elements', () => {
    const auth = parseDigestAuthorization(
      '  Digest \t username = "pub" ,realm\t=\t"MMS Public API",, ,nonce= "n"  , uri ="/a",response="r" , ',
    )
    assert.deepEqual(auth, { username: 'pub', realm: 'MMS Public API', nonce: 'n', uri: '/a', response: 'r' })
  })

  test('backslash escapes in quoted strings', () => {
    const auth = parseDigestAuthorization(
      'Digest username="a\\"b\\\\c\\d", realm="MMS Public API", nonce="n", uri="/a, b=\\"c\\"", response="r"',
    )
    assert.equal(auth?.username, 'a"b\\cd')
    assert.equal(auth?.uri, '/a, b="c"')
  })

  test('empty quoted values are kept', () => {
    assert.equal(parseDigestAuthorization(`Digest ${REQUIRED}, opaque=""`)?.opaque, '')
  })

  test('unknown parameters are ignored, quoted or not', () => {
    const auth = parseDigestAuthorization(`Digest foo=bar, ${REQUIRED}, userhash=false, x-y="z,\\"w"`)
    assert.deepEqual(auth, { username: 'pub', realm: 'MMS Public API', nonce: 'n', uri: '/a', response: 'r' })
  })

  test('a missing required parameter', () => {
    for (const name of ['username', 'realm', 'nonce', 'uri', 'response']) {
      const header = 'Digest ' + REQUIRED.split(', ').filter((part) => !part.startsWith(name + '=')).join(', ')
      assert.equal(parseDigestAuthorization(header), undefined, name)
    }
    const extended = `Digest username*=UTF-8''pub, realm="MMS Public API", nonce="n", uri="/a", response="r"`
    assert.equal(parseDigestAuthorization(extended), undefined)
  })

  test('a repeated parameter, in any case', () => {
    assert.equal(parseDigestAuthorization(`Digest ${REQUIRED}, username="other"`), undefined)
    assert.equal(parseDigestAuthorization(`Digest ${REQUIRED}, NONCE="n"`), undefined)
    assert.equal(parseDigestAuthorization(`Digest ${REQUIRED}, qop=auth, qop=auth`), undefined)
    assert.equal(parseDigestAuthorization(`Digest ${REQUIRED}, foo=1, foo=2`), undefined)
  })

  test('another scheme or no parameters', () => {
    for (const header of [
      '',
      'Digest',
      'Digest ',
      'Basic cHViOnByaXY=',
      'Bearer abc',
      `Digestive ${REQUIRED}`,
      `Digest,${REQUIRED}`,
      `Digest=${REQUIRED}`,
    ]) {
      assert.equal(parseDigestAuthorization(header), undefined, header)
    }
  })

  test('malformed syntax', () => {
    for (const header of [
      `Digest ${REQUIRED}, qop`,
      `Digest ${REQUIRED}, qop=`,
      `Digest ${REQUIRED}, qop= ,`,
      `Digest ${REQUIRED}, ="x"`,
      `Digest ${REQUIRED}, opaque="unterminated`,
      `Digest ${REQUIRED}, opaque="ends in backslash\\`,
      `Digest ${REQUIRED}, opaque="a"b`,
      `Digest ${REQUIRED}, opaque="a" "b"`,
      `Digest ${REQUIRED}, qop=auth nc=00000001`,
      `Digest ${REQUIRED}; qop=auth`,
      `Digest ${REQUIRED}, opaque="new\nline"`,
      `Digest ${REQUIRED}, opaque="nul\u0000"`,
      `Digest ${REQUIRED}, opaque="esc\\\u0001"`,
      `Digest ${REQUIRED}, opaque=a\\b`,
      `Digest ${REQUIRED}, opaque=a"b"`,
      `Digest ${REQUIRED} x`,
      'Digest username="pub" realm="MMS Public API", nonce="n", uri="/a", response="r"',
    ]) {
      assert.equal(parseDigestAuthorization(header), undefined, JSON.stringify(header))
    }
  })

  test('never throws on odd input', () => {
    assert.equal(parseDigestAuthorization(undefined as unknown as string), undefined)
    assert.equal(parseDigestAuthorization(42 as unknown as string), undefined)
    assert.equal(parseDigestAuthorization('Digest \uD800="\uDFFF"'), undefined)
  })

  test('100 KB of garbage returns quickly', () => {
    const started = performance.now()
    const headers = [
      'Digest ' + 'a'.repeat(100_000),
      'Digest ' + 'a='.repeat(50_000),
      'Digest ' + ', '.repeat(50_000),
      'Digest opaque="' + '\\"'.repeat(50_000),
      'Digest ' + 'x=1,'.repeat(25_000),
      'D'.repeat(100_000),
      'Digest ' + `${REQUIRED}, ` + 'k=' + 'v'.repeat(100_000),
    ]
    for (const header of headers) parseDigestAuthorization(header)
    assert.equal(parseDigestAuthorization(headers[4] ?? ''), undefined)
    const valid = parseDigestAuthorization(headers.at(-1) ?? '')
    assert.equal(valid?.username, 'pub')
    assert.ok(performance.now() - started < 1000)
  })
})
