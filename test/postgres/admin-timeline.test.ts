import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('admin/admin-timeline', () => import('../admin/admin-timeline.test.js'))
