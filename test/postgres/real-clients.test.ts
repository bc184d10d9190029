import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('clients/real-clients', () => import('../clients/real-clients.test.js'))
