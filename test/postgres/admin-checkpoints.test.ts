import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-checkpoints', () => import('../admin/admin-checkpoints.test.js'))
