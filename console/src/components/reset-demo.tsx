import { useRef, useState } from 'preact/hooks'
import type { Api } from '../api.js'
import { useRefresh } from '../poll.js'
import { FormError } from './field.js'

/** POST /reset?demo=true, after a confirmation in a modal dialog (focus kept inside it, Escape cancels). */
export function ResetDemo({ api }: { api: Api }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const refresh = useRefresh()
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const reset = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await api.post('/reset?demo=true')
      dialog.current?.close()
      refresh.changed()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        Reset to the demo…
      </button>
      <dialog ref={dialog} aria-labelledby="reset-title" aria-describedby="reset-text">
        <h2 id="reset-title">Reset to the demo?</h2>
        <p id="reset-text">
          Every organization, project, cluster, checkpoint, API key and service account is deleted, then the demo data set is loaded. Server secrets
          stay.
        </p>
        <FormError message={error} />
        <div class="dialog-actions">
          <button type="button" class="danger" disabled={busy} onClick={reset}>
            {busy ? 'Resetting…' : 'Reset to the demo'}
          </button>
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  )
}
