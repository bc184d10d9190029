import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/discovery-ops-manager', () => import('../http/discovery-ops-manager.test.js'))
