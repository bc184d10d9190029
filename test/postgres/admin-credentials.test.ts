import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-credentials', () => import('../admin/admin-credentials.test.js'))
