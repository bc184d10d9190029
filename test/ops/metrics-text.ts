/** The value of one sample of a Prometheus text exposition, or undefined when it is absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`)
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const present = match[2] === undefined || match[2] === '' ? [] : match[2].split(',')
    if (present.length === wanted.length && wanted.every((pair) => present.includes(pair))) return Number(match[3])
  }
  return undefined
}
