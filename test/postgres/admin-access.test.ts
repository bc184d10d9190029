import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-access', () => import('../admin/admin-access.test.js'))
