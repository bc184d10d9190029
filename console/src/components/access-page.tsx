import { useContext, useEffect, useState } from 'preact/hooks'
import { fieldMessages, type Api } from '../api.js'
import type { ApiKey, List, Organization, Project, Role, ServiceAccount } from '../api-types.js'
import { usePoll, useRefresh } from '../poll.js'
import { CurlKeyContext } from './checkpoint-detail.js'
import { CopyButton } from './copy-button.js'
import { Field, FormError } from './field.js'

const GROUP_ROLES = ['GROUP_READ_ONLY', 'GROUP_BACKUP_MANAGER', 'GROUP_OWNER']
const ORG_ROLES = ['ORG_READ_ONLY', 'ORG_MEMBER', 'ORG_OWNER']

interface AccessData {
  readonly orgs: readonly Organization[]
  readonly projects: readonly Project[]
  readonly keys: readonly ApiKey[]
  readonly accounts: readonly ServiceAccount[]
}

const roleText = (r: Role, projects: readonly Project[]) =>
  'groupId' in r ? `${r.roleName} on ${projects.find((p) => p.id === r.groupId)?.name ?? r.groupId}` : `${r.roleName} on the organization`

/** API keys and service accounts of an organization, and creating them (the secret shown once). */
export function AccessPage({ api }: { api: Api }) {
  const [orgId, setOrgId] = useState<string | undefined>(undefined)
  const polled = usePoll<AccessData>(
    async () => {
      const [orgs, projects] = await Promise.all([api.get<List<Organization>>('/orgs'), api.get<List<Project>>('/groups')])
      const org = orgId ?? orgs.results[0]?.id
      if (org === undefined) return { orgs: [], projects: [], keys: [], accounts: [] }
      const [keys, accounts] = await Promise.all([api.get<List<ApiKey>>(`/apiKeys?orgId=${org}`), api.get<List<ServiceAccount>>(`/serviceAccounts?orgId=${org}`)])
      return { orgs: orgs.results, projects: projects.results.filter((p) => p.orgId === org), keys: keys.results, accounts: accounts.results }
    },
    [orgId],
    10_000,
  )
  const data = polled.data
  useEffect(() => {
    if (orgId === undefined && data?.orgs[0]) setOrgId(data.orgs[0].id)
  }, [data])
  return (
    <main id="main" tabIndex={-1} class="access">
      <h1>Access</h1>
      {data === undefined ? (
        <p>Loading…</p>
      ) : data.orgs.length === 0 ? (
        <p>No organizations: nothing to grant access to.</p>
      ) : (
        <>
          <p>
            <label for="access-org">Organization</label>{' '}
            <select id="access-org" value={orgId} onChange={(e) => setOrgId((e.currentTarget as HTMLSelectElement).value)}>
              {data.orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </p>
          <div class="arrange">
            <CreateCredential api={api} kind="apiKey" orgId={orgId ?? ''} projects={data.projects} />
            <CreateCredential api={api} kind="serviceAccount" orgId={orgId ?? ''} projects={data.projects} />
          </div>
          <section aria-labelledby="keys-heading">
            <h2 id="keys-heading">API keys</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Public key</th>
                  <th scope="col">Description</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {data.keys.map((k) => (
                  <tr key={k.publicKey}>
                    <td>
                      <code>{k.publicKey}</code>
                    </td>
                    <td>{k.description}</td>
                    <td>{k.roles.map((r) => roleText(r, data.projects)).join('; ')}</td>
                    <td>{k.createdAt}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="accounts-heading">
            <h2 id="accounts-heading">Service accounts</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Client id</th>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Secrets expire</th>
                </tr>
              </thead>
              <tbody>
                {data.accounts.map((a) => (
                  <tr key={a.clientId}>
                    <td>
                      <code>{a.clientId}</code>
                    </td>
                    <td>{a.name}</td>
                    <td>{a.roles.map((r) => roleText(r, data.projects)).join('; ')}</td>
                    <td>{a.secrets.map((s) => s.expiresAt).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </main>
  )
}

interface Secret {
  readonly id: string
  readonly secret: string
  readonly kind: 'apiKey' | 'serviceAccount'
}

function CreateCredential({ api, kind, orgId, projects }: { api: Api; kind: 'apiKey' | 'serviceAccount'; orgId: string; projects: readonly Project[] }) {
  const refresh = useRefresh()
  const curlKey = useContext(CurlKeyContext)
  const prefix = kind === 'apiKey' ? 'key' : 'account'
  const [name, setName] = useState('')
  const [scope, setScope] = useState('')
  const [role, setRole] = useState('GROUP_READ_ONLY')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [secret, setSecret] = useState<Secret | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const groupId = scope === '' ? projects[0]?.id : scope === 'org' ? undefined : scope
  const roles = groupId === undefined ? ORG_ROLES : GROUP_ROLES
  const submit = async (event: Event) => {
    event.preventDefault()
    setErrors({})
    setBusy(true)
    try {
      const grant = groupId === undefined ? { orgId, roleName: roles.includes(role) ? role : 'ORG_READ_ONLY' } : { groupId, roleName: roles.includes(role) ? role : 'GROUP_READ_ONLY' }
      if (kind === 'apiKey') {
        const key = await api.post<ApiKey>('/apiKeys', { orgId, description: name, roles: [grant] })
        setSecret({ id: key.publicKey, secret: key.privateKey ?? '', kind })
      } else {
        const account = await api.post<ServiceAccount>('/serviceAccounts', { orgId, name, description: name, roles: [grant] })
        setSecret({ id: account.clientId, secret: account.clientSecret ?? '', kind })
      }
      setName('')
      refresh.changed()
    } catch (error) {
      setErrors(fieldMessages(error, ['description', 'name', 'roles'], { 'roles[0].roleName': 'roles', 'roles[0].groupId': 'roles', 'roles[0].orgId': 'roles' }))
    } finally {
      setBusy(false)
    }
  }
  const title = kind === 'apiKey' ? 'Create an API key' : 'Create a service account'
  return (
    <section class="panel" aria-labelledby={`${prefix}-create-heading`}>
      <h2 id={`${prefix}-create-heading`}>{title}</h2>
      {secret && (
        <div class="secret" role="alert" data-testid={`${prefix}-secret`}>
          <p>
            <strong>{secret.kind === 'apiKey' ? `Private key of ${secret.id}` : `Client secret of ${secret.id}`}</strong>: shown this once. Only its hash is
            stored.
          </p>
          <pre>
            <code>{secret.secret}</code>
          </pre>
          <CopyButton text={secret.secret} label={secret.kind === 'apiKey' ? 'Copy the private key' : 'Copy the client secret'} />
          {secret.kind === 'apiKey' && (
            <button type="button" onClick={() => curlKey.set({ publicKey: secret.id, privateKey: secret.secret })}>
              Use it in the curl commands
            </button>
          )}
          <button type="button" onClick={() => setSecret(undefined)}>
            Done: hide it
          </button>
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <FormError message={errors['']} />
        <Field id={`${prefix}-name`} label={kind === 'apiKey' ? 'Description' : 'Name'} error={errors[kind === 'apiKey' ? 'description' : 'name']}>
          {(aria) => <input {...aria} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <Field id={`${prefix}-scope`} label="Granted on">
          {(aria) => (
            <select {...aria} value={scope === '' ? (projects[0]?.id ?? 'org') : scope} onChange={(e) => setScope((e.currentTarget as HTMLSelectElement).value)}>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  Project {p.name}
                </option>
              ))}
              <option value="org">The whole organization</option>
            </select>
          )}
        </Field>
        <Field id={`${prefix}-role`} label="Role" error={errors['roles']}>
          {(aria) => (
            <select {...aria} value={roles.includes(role) ? role : roles[0]} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={busy || orgId === ''}>
          {busy ? 'Creating…' : title}
        </button>
      </form>
    </section>
  )
}
