import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('clients/legacy-backup-clients', () => import('../clients/legacy-backup-clients.test.js'))
