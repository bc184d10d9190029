import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('legacy-backup/restore-jobs', () => import('../legacy-backup/restore-jobs.test.js'))
