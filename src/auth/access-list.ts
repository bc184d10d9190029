import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** The result of {@link parseAccessListEntry}. */
export type AccessListEntryResult = { ok: true; value: string } | { ok: false; error: string }

interface Ip {
  family: 'ipv4' | 'ipv6'
  bytes: Uint8Array
}

const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/

/**
 * Checks one access list entry, an IP address or a CIDR block of either family, and gives its normal
 * form: IPv6 in RFC 5952 text, a CIDR block's host bits cleared (`10.1.2.3/8` becomes `10.0.0.0/8`), and
 * an IPv4-mapped IPv6 entry (`::ffff:1.2.3.4`, `::ffff:10.0.0.0/104`) written as the IPv4 one. An address
 * stays an address and a block stays a block, even `/32` or `/128`. Surrounding spaces are ignored.
 */
export function parseAccessListEntry(entry: string): AccessListEntryResult {
  const text = entry.trim()
  const refuse = (why: string): AccessListEntryResult => ({
    ok: false,
    error: `Invalid access list entry ${JSON.stringify(entry)}: ${why}`,
  })
  if (text === '') return refuse('it is empty')
  if (text.includes('%')) return refuse('an IPv6 zone index is not allowed')
  const slash = text.indexOf('/')
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash))
  if (ip === undefined) {
    return refuse('expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or 2001:db8::/32')
  }
  const bits = ip.bytes.length * 8
  if (slash < 0) return { ok: true, value: formatIp(unmap(ip)) }
  const prefixText = text.slice(slash + 1)
  const prefix = PREFIX.test(prefixText) ? Number(prefixText) : Number.NaN
  if (!(prefix <= bits)) {
    return refuse(`the prefix length of an ${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR block must be 0 to ${bits}`)
  }
  const network = { family: ip.family, bytes: maskBytes(ip.bytes, prefix) }
  if (network.family === 'ipv6' && prefix >= 96 && isMapped(network.bytes)) {
    return { ok: true, value: `${formatIp(unmap(network))}/${prefix - 96}` }
  }
  return { ok: true, value: `${formatIp(network)}/${prefix}` }
}

/**
 * An API access list: the addresses a key may be used from. Entries are normalised and deduplicated. An
 * empty list allows every address, as in Atlas, where a key without an access list is not restricted.
 * An IPv4 address and its IPv4-mapped IPv6 form (`::ffff:1.2.3.4`, what a dual-stack socket reports) are
 * the same address, so an IPv6 block covering `::ffff:0:0/96`, such as `::/0`, also covers IPv4.
 */
export class AccessList {
  /** The normalised entries, in their first order. */
  readonly entries: readonly string[]
  readonly #blocks: BlockList

  private constructor(entries: readonly string[]) {
    this.entries = Object.freeze([...entries])
    this.#blocks = new BlockList()
    for (const entry of entries) {
      const slash = entry.indexOf('/')
      const family = isIPv4(slash < 0 ? entry : entry.slice(0, slash)) ? 'ipv4' : 'ipv6'
      if (slash < 0) this.#blocks.addAddress(entry, family)
      else this.#blocks.addSubnet(entry.slice(0, slash), Number(entry.slice(slash + 1)), family)
    }
  }

  /** Builds a list; throws a RangeError naming every invalid entry. */
  static from(entries: readonly string[]): AccessList {
    const values = new Set<string>()
    const errors: string[] = []
    for (const entry of entries) {
      const result = parseAccessListEntry(entry)
      if (result.ok) values.add(result.value)
      else errors.push(result.error)
    }
    if (errors.length > 0) throw new RangeError(errors.join('; '))
    return new AccessList([...values])
  }

  /** Whether a request from `address` may proceed: always for an empty list, else as {@link includes}. */
  allows(address: string): boolean {
    return this.entries.length === 0 || this.includes(address)
  }

  /**
   * Whether `address` is one of the entries or inside one of the blocks; false for an empty list and for
   * anything that is not an IP address. An IPv6 zone index (`fe80::1%eth0`) is ignored.
   */
  includes(address: string): boolean {
    const ip = parseClientIp(address)
    if (ip === undefined) return false
    return this.#blocks.check(formatIp(ip), ip.family)
  }
}

/**
 * The address to check against an access list. When `trustedProxies` is given and the socket peer is one
 * of them, `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first address that
 * is not one is the client (if every hop is trusted, the leftmost one). Otherwise the header, which anyone
 * can send, is ignored and the socket address is the client. A malformed hop met on the way (not an IP
 * address, an empty element) makes the header worthless: the socket address is answered. Addresses are
 * returned as found, trimmed; {@link canonicalAddress} gives the form to show.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: AccessList | undefined,
): string | undefined {
  if (socketAddress === undefined || forwardedFor === undefined || trustedProxies === undefined) return socketAddress
  if (!trustedProxies.includes(socketAddress)) return socketAddress
  if (forwardedFor.trim() === '') return socketAddress
  const hops = forwardedFor.split(',').map((hop) => hop.trim())
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? ''
    if (parseClientIp(hop) === undefined) return socketAddress
    if (i === 0 || !trustedProxies.includes(hop)) return hop
  }
  return socketAddress
}

/**
 * An address in its normal form (an IPv4-mapped IPv6 address as IPv4, IPv6 in RFC 5952 text, no zone
 * index), or undefined if it is not an IP address.
 */
export function canonicalAddress(address: string): string | undefined {
  const ip = parseClientIp(address)
  return ip === undefined ? undefined : formatIp(ip)
}

function parseClientIp(address: string): Ip | undefined {
  const text = address.trim()
  const percent = text.indexOf('%')
  const ip = parseIp(percent < 0 ? text : text.slice(0, percent))
  return ip === undefined ? undefined : unmap(ip)
}

function parseIp(text: string): Ip | undefined {
  if (isIPv4(text)) return { family: 'ipv4', bytes: Uint8Array.from(text.split('.'), Number) }
  if (!isIPv6(text) || text.includes('%')) return undefined
  const bytes = new Uint8Array(16)
  let tail = text
  let v4: Uint8Array | undefined
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.', lastColon)) {
    v4 = Uint8Array.from(text.slice(lastColon + 1).split('.'), Number)
    tail = `${text.slice(0, lastColon + 1)}0:0`
  }
  const [head = '', rest] = tail.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = rest === undefined || rest === '' ? [] : rest.split(':')
  const groups = [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right]
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16)
    bytes[i * 2] = value >>> 8
    bytes[i * 2 + 1] = value & 0xff
  })
  if (v4 !== undefined) bytes.set(v4, 12)
  return { family: 'ipv6', bytes }
}

function isMapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
}

function unmap(ip: Ip): Ip {
  return ip.family === 'ipv6' && isMapped(ip.bytes) ? { family: 'ipv4', bytes: ip.bytes.slice(12) } : ip
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  return bytes.map((byte, i) => {
    const keep = Math.min(8, Math.max(0, prefix - i * 8))
    return byte & ((0xff << (8 - keep)) & 0xff)
  })
}

function formatIp(ip: Ip): string {
  if (ip.family === 'ipv4') return ip.bytes.join('.')
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
