import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/request-checks', () => import('../http/request-checks.test.js'))
