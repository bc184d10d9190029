import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('auth/token-identity', () => import('../auth/token-identity.test.js'))
