/**
 * JSON in the layout of Jackson's DefaultPrettyPrinter, which the real API uses for `pretty=true` and
 * for its 401 body. Written by hand because no JavaScript library reproduces it:
 * - objects break lines and indent two spaces per object level: `{` NL `  "key" : value` NL `}`;
 * - arrays stay inline and do not add a level: `[ 1, 2 ]`, `[ {` … `}, {` … `} ]`;
 * - empty containers are `[ ]` and `{ }`.
 * Strings and numbers are escaped as JSON.stringify escapes them.
 */
export function jacksonPretty(value: unknown): string {
  return write(value, 0)
}

function write(value: unknown, level: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]'
    return `[ ${value.map((item: unknown) => write(item, level)).join(', ')} ]`
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return '{ }'
  const inner = '\n' + '  '.repeat(level + 1)
  const body = entries.map(([key, v]) => `${JSON.stringify(key)} : ${write(v, level + 1)}`).join(',' + inner)
  return `{${inner}${body}\n${'  '.repeat(level)}}`
}
