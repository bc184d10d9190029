import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/authorization-matrix', () => import('../http/authorization-matrix.test.js'))
