import { readFile } from 'node:fs/promises'
import { CliError } from './cli-error.js'

/** Reads and parses a JSON file, with a message that names the file on any failure. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code ?? String(error)})`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${path}: not valid JSON (${(error as Error).message})`)
  }
}
