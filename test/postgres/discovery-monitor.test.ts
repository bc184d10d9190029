import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('clients/discovery-monitor', () => import('../clients/discovery-monitor.test.js'))
