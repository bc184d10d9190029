import { atlasV1 } from './atlas-v1/atlas-v1-dialect.js'
import { atlasV2 } from './atlas-v2/atlas-v2-dialect.js'
import type { Dialect } from './dialect.js'
import { opsManagerV1 } from './ops-manager-v1/ops-manager-v1-dialect.js'

/** Every dialect the server answers. */
export const DIALECTS: readonly Dialect[] = [atlasV2, atlasV1, opsManagerV1]
