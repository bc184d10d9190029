import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/authentication', () => import('../http/authentication.test.js'))
