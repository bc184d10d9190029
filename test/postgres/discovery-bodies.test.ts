import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/discovery-bodies', () => import('../http/discovery-bodies.test.js'))
