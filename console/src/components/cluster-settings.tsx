import { useEffect, useRef, useState } from 'preact/hooks'
import { fieldMessages, type Api } from '../api.js'
import type { Cluster } from '../api-types.js'
import { useRefresh } from '../poll.js'
import { Field, FormError } from './field.js'

const FIELDS = ['checkpointIntervalMinutes', 'pointInTimeWindowHours', 'featureCompatibilityVersion', 'backup'] as const

interface Form {
  readonly interval: string
  readonly window: string
  readonly fcv: string
  readonly backup: string
}

const formOf = (c: Cluster): Form => ({
  interval: c.checkpointIntervalMinutes === null ? '' : String(c.checkpointIntervalMinutes),
  window: String(c.pointInTimeWindowHours),
  fcv: c.featureCompatibilityVersion,
  backup: c.backup,
})

/**
 * The cluster's schedule, window, FCV and backup kind, changed with one PATCH of the fields that changed.
 * The server checks them (the real API's schedule errors, the fixture rules); its messages go by their
 * fields. The window is a text field, so that the server's own rule (1 to 8760 hours) is the one shown.
 */
export function ClusterSettings({ api, cluster, onSaved }: { api: Api; cluster: Cluster; onSaved: () => void }) {
  const refresh = useRefresh()
  const [form, setForm] = useState<Form>(() => formOf(cluster))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  // Another change (a reset, another tab) shows here unless the form is being edited. A ref, not a
  // dependency: an effect that reset the form when editing stopped could land after the next keystroke.
  const [editing, setEditingState] = useState(false)
  const editingRef = useRef(false)
  const setEditing = (value: boolean) => {
    editingRef.current = value
    setEditingState(value)
  }
  useEffect(() => {
    if (!editingRef.current) setForm(formOf(cluster))
  }, [cluster])
  const set = (key: keyof Form) => (e: Event) => {
    setEditing(true)
    setSaved(undefined)
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value })
  }
  const submit = async (event: Event) => {
    event.preventDefault()
    const before = formOf(cluster)
    const change: Record<string, unknown> = {}
    if (form.interval !== before.interval) change['checkpointIntervalMinutes'] = form.interval === '' ? null : Number(form.interval)
    if (form.window !== before.window) change['pointInTimeWindowHours'] = /^\d+$/.test(form.window.trim()) ? Number(form.window.trim()) : form.window
    if (form.fcv !== before.fcv) change['featureCompatibilityVersion'] = form.fcv.trim()
    if (form.backup !== before.backup) change['backup'] = form.backup
    setErrors({})
    if (Object.keys(change).length === 0) return setSaved('Nothing changed.')
    setBusy(true)
    try {
      await api.patch(`/groups/${cluster.groupId}/clusters/${cluster.id}`, change)
      setEditing(false)
      setSaved(`Saved: ${Object.keys(change).join(', ')}.`)
      onSaved()
      refresh.changed()
    } catch (error) {
      setErrors(fieldMessages(error, FIELDS))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Schedule and backup</h2>
      <form onSubmit={submit} noValidate>
        <FormError message={errors['']} />
        <Field id="checkpointIntervalMinutes" label="Checkpoint interval" error={errors['checkpointIntervalMinutes']} hint="Sharded clusters on legacy backup only.">
          {(aria) => (
            <select {...aria} value={form.interval} onChange={set('interval')}>
              <option value="">Off</option>
              <option value="15">Every 15 minutes</option>
              <option value="30">Every 30 minutes</option>
              <option value="60">Every 60 minutes</option>
            </select>
          )}
        </Field>
        <Field id="pointInTimeWindowHours" label="Point-in-time window (hours)" error={errors['pointInTimeWindowHours']}>
          {(aria) => <input {...aria} inputMode="numeric" value={form.window} onInput={set('window')} />}
        </Field>
        <Field id="featureCompatibilityVersion" label="Feature compatibility version" error={errors['featureCompatibilityVersion']} hint="Checkpoints end at 4.0.">
          {(aria) => <input {...aria} value={form.fcv} onInput={set('fcv')} />}
        </Field>
        <Field id="backup" label="Backup kind" error={errors['backup']}>
          {(aria) => (
            <select {...aria} value={form.backup} onChange={set('backup')}>
              <option value="LEGACY">LEGACY (continuous: checkpoints)</option>
              <option value="CLOUD">CLOUD (the API answers 400)</option>
              <option value="NONE">NONE</option>
            </select>
          )}
        </Field>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {editing && (
            <button
              type="button"
              onClick={() => {
                setEditing(false)
                setForm(formOf(cluster))
                setErrors({})
              }}
            >
              Undo changes
            </button>
          )}
          <span role="status" class="saved">
            {saved}
          </span>
        </div>
      </form>
    </section>
  )
}
