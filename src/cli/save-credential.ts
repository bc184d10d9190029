import { loadConfig } from '../config.js'
import type { ApiKey, DataSet, ServiceAccount } from '../domain/types.js'
import { checkReferences } from '../fixtures/check-references.js'
import { CliError } from './cli-error.js'

/** Checks a new credential's organization and roles against the store, then writes it. */
export async function saveCredential(storeFlag: string | undefined, credential: { apiKey: ApiKey } | { serviceAccount: ServiceAccount }): Promise<string> {
  const config = loadConfig({ store: storeFlag })
  const data: DataSet = {
    organizations: [],
    projects: [],
    clusters: [],
    checkpoints: [],
    apiKeys: 'apiKey' in credential ? [credential.apiKey] : [],
    serviceAccounts: 'serviceAccount' in credential ? [credential.serviceAccount] : [],
  }
  const { openStore } = await import('../storage/open-store.js')
  const store = await openStore(config.store)
  try {
    const problems = await checkReferences(data, store)
    if (problems.length > 0) throw new CliError(problems.join('\n'))
    await store.apply(data)
  } finally {
    await store.close()
  }
  return config.store
}
