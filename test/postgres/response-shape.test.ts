import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/response-shape', () => import('../http/response-shape.test.js'))
