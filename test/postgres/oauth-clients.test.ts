import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('clients/oauth-clients', () => import('../clients/oauth-clients.test.js'))
