import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-organizations', () => import('../admin/admin-organizations.test.js'))
