import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/discovery-clusters', () => import('../http/discovery-clusters.test.js'))
