import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('legacy-backup/restorability-clock', () => import('../legacy-backup/restorability-clock.test.js'))
