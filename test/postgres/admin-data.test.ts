import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-data', () => import('../admin/admin-data.test.js'))
