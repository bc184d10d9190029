import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/unexpected-failure', () => import('../http/unexpected-failure.test.js'))
