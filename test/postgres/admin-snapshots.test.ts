import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-snapshots', () => import('../admin/admin-snapshots.test.js'))
