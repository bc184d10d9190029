import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('clients/load-balancer', () => import('../clients/load-balancer.test.js'))
