// The ceiling: a bare node:http server that answers each benchmarked URL with the exact status, headers
// and body Waymark gave for it, pre-serialised. Nothing is parsed, checked or looked up beyond one Map
// get, so its throughput is what Node.js itself can serve on the same core.
// Usage: node lib/ceiling-server.mjs PORT RESPONSES.json   (prints "ready" when listening)
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const [port, file] = process.argv.slice(2)
const answers = new Map()
for (const [url, { status, headers, body }] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
  answers.set(url, { status, headers, body: Buffer.from(body) })
}
const missing = Buffer.from('{"error":404}')

createServer((req, res) => {
  const answer = answers.get(req.url)
  if (answer === undefined) {
    res.writeHead(404, { 'content-type': 'application/json', 'content-length': missing.length })
    res.end(missing)
    return
  }
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'))

process.on('SIGTERM', () => process.exit(0))
