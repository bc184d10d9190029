import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/discovery-projects', () => import('../http/discovery-projects.test.js'))
