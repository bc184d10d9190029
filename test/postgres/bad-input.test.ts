import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/bad-input', () => import('../http/bad-input.test.js'))
