import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/rate-limit', () => import('../http/rate-limit.test.js'))
