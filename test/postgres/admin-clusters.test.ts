import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-clusters', () => import('../admin/admin-clusters.test.js'))
