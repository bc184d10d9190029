import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/oauth', () => import('../http/oauth.test.js'))
