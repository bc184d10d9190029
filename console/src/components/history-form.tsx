import { useState } from 'preact/hooks'
import { fieldMessages, type Api } from '../api.js'
import type { Cluster, HistoryWritten } from '../api-types.js'
import { plural } from '../format.js'
import { useRefresh } from '../poll.js'
import { Field, FormError } from './field.js'

/** POST …/history: the checkpoints the schedule would have made in a range, as `waymark generate` writes them. */
export function HistoryForm({ api, cluster }: { api: Api; cluster: Cluster }) {
  const refresh = useRefresh()
  const [from, setFrom] = useState('-7d')
  const [to, setTo] = useState('now')
  const [seed, setSeed] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [result, setResult] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setErrors({})
    setResult(undefined)
    setBusy(true)
    try {
      const body: Record<string, unknown> = { from: from.trim(), to: to.trim() }
      if (seed.trim() !== '') body['seed'] = /^\d+$/.test(seed.trim()) ? Number(seed.trim()) : seed.trim()
      const written = await api.post<HistoryWritten>(`/groups/${cluster.groupId}/clusters/${cluster.id}/history`, body)
      setResult(`Wrote ${plural(written.written, 'checkpoint')} (${written.restorable.toLocaleString('en-US')} restorable) from ${written.from} to ${written.to}.`)
      refresh.changed()
    } catch (error) {
      const messages = fieldMessages(error, ['from', 'to', 'seed'])
      // A range that overlaps the history is the start's fault.
      if ((error as { errorCode?: string }).errorCode === 'HISTORY_OVERLAPS' && messages[''] !== undefined) {
        messages['from'] = messages['']
        delete messages['']
      }
      setErrors(messages)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="panel" aria-labelledby="history-heading">
      <h2 id="history-heading">Backfill history</h2>
      <p class="hint">What the schedule would have made, appended after the newest checkpoint. Times: ISO 8601, or relative to the server clock (now, -7d, -90m).</p>
      <form onSubmit={submit} noValidate>
        <FormError message={errors['']} />
        <Field id="history-from" label="From" error={errors['from']}>
          {(aria) => <input {...aria} value={from} onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <Field id="history-to" label="To" error={errors['to']}>
          {(aria) => <input {...aria} value={to} onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <Field id="history-seed" label="Seed (optional)" error={errors['seed']} hint="The server’s --seed when empty.">
          {(aria) => <input {...aria} inputMode="numeric" value={seed} onInput={(e) => setSeed((e.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Writing…' : 'Write history'}
          </button>
          <span role="status">{result}</span>
        </div>
      </form>
    </section>
  )
}
