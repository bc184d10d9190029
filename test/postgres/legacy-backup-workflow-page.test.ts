import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('legacy-backup/workflow-page', () => import('../legacy-backup/workflow-page.test.js'))
