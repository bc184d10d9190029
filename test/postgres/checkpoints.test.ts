import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/checkpoints', () => import('../http/checkpoints.test.js'))
