import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-producer', () => import('../admin/admin-producer.test.js'))
