/**
 * Whether an Authorization header carries the admin token as `Bearer <token>`: the same constant-time
 * check as every configured token (auth/static-token.ts).
 */
export { staticTokenMatches as adminTokenMatches } from '../auth/static-token.js'
