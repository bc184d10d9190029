import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('legacy-backup/snapshots-api', () => import('../legacy-backup/snapshots-api.test.js'))
