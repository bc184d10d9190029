import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/access-list', () => import('../http/access-list.test.js'))
