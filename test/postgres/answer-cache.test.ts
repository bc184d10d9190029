import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/answer-cache', () => import('../http/answer-cache.test.js'))
