import { onPostgres } from '../helpers/on-postgres.js'

await onPostgres('http/discovery-pipeline', () => import('../http/discovery-pipeline.test.js'))
