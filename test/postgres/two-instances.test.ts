import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/two-instances', () => import('../http/two-instances.test.js'))
