/**
 * A store URL fit for output: a PostgreSQL password, if the URL carries one, is replaced by `***`, also
 * when the URL does not parse (then by pattern), so that no message ever repeats it.
 */
export function storeLabel(url: string): string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return url
  try {
    const parsed = new URL(url)
    if (parsed.password === '') return url
    parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@')
  }
}
