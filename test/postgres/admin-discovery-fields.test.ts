import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-discovery-fields', () => import('../admin/admin-discovery-fields.test.js'))
