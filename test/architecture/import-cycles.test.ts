import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * No module of src/ imports, directly or through others, a module that imports it back: not even for a
 * type (issue 16 untangled auth/digest-header.ts ↔ digest-response.ts, and http/pipeline.ts ↔
 * discovery-handler.ts). Relative imports and re-exports are followed; packages are not.
 */
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g

function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const targets: string[] = []
    for (const match of text.matchAll(IMPORT)) {
      const base = resolve(dirname(file), match[1] ?? '').replace(/\.js$/, '')
      const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => known.has(candidate))
      if (target !== undefined) targets.push(target)
    }
    graph.set(file, targets)
  }
  return graph
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return found
}

test('src/ has no import cycle, type-only imports included', () => {
  const files = sourceFiles(SRC)
  assert.ok(files.length > 100, `expected the sources under ${SRC}`)
  const graph = importGraph(files)
  assert.ok([...graph.values()].some((targets) => targets.length > 0), 'the import graph has edges')
  const found = cycles(graph).map((cycle) => cycle.map((file) => relative(SRC, file)).join(' → '))
  assert.deepEqual(found, [])
})
