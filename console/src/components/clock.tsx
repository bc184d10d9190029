import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import { fieldMessages, type Api } from '../api.js'
import type { Clock } from '../api-types.js'
import { dateTime } from '../format.js'
import { usePoll, useRefresh } from '../poll.js'
import { Field, FormError } from './field.js'

/** The server's clock as the console knows it: read every few seconds, run on in between unless frozen. */
export interface ServerTime {
  readonly nowMs: number
  readonly frozen: boolean
}

export const ServerTimeContext = createContext<ServerTime>({ nowMs: Date.now(), frozen: false })

export function useServerTime(): ServerTime {
  return useContext(ServerTimeContext)
}

/** Reads the clock and ticks it locally every second. */
export function useServerClock(api: Api): ServerTime & { readonly loaded: boolean } {
  const polled = usePoll(async () => ({ clock: await api.get<Clock>('/clock'), at: Date.now() }), [], 5000)
  const [, tick] = useState(0)
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000)
    return () => clearInterval(t)
  }, [])
  const data = polled.data
  if (data === undefined) return { nowMs: Date.now(), frozen: false, loaded: false }
  const serverMs = Date.parse(data.clock.now)
  return { nowMs: data.clock.frozen ? serverMs : serverMs + (Date.now() - data.at), frozen: data.clock.frozen, loaded: true }
}

const STEPS: ReadonlyArray<[string, string]> = [
  ['PT15M', '+15 min'],
  ['PT1H', '+1 h'],
  ['P1D', '+1 day'],
]

/**
 * The clock in the header, and moving it: everything due meanwhile happens on the server before it answers
 * (the producer's checkpoints, the window, pruning), then every view reads again.
 */
export function ClockControl({ api, time }: { api: Api; time: ServerTime & { loaded: boolean } }) {
  const refresh = useRefresh()
  const [by, setBy] = useState('PT2H')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const change = async (body: object) => {
    setBusy(true)
    setErrors({})
    try {
      await api.post<Clock>('/clock', body)
      refresh.changed()
    } catch (error) {
      setErrors(fieldMessages(error, ['advanceBy', 'frozen']))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="clock" aria-label="Server clock">
      <p class="clock-now">
        <span class="clock-label">Server clock</span>{' '}
        <time data-testid="server-clock" dateTime={new Date(time.nowMs).toISOString()}>
          {time.loaded ? `${dateTime(time.nowMs)} UTC` : '…'}
        </time>
        {time.frozen && <span class="badge">frozen</span>}
      </p>
      <div class="clock-controls">
        {STEPS.map(([duration, label]) => (
          <button key={duration} type="button" disabled={busy} onClick={() => change({ advanceBy: duration })} aria-label={`Advance the clock ${label.slice(1)}`}>
            {label}
          </button>
        ))}
        <form
          class="inline"
          noValidate
          onSubmit={(e) => {
            e.preventDefault()
            void change({ advanceBy: by })
          }}
        >
          <Field id="clock-advance-by" label="Advance by (ISO 8601)" error={errors['advanceBy']}>
            {(aria) => <input {...aria} size={8} value={by} onInput={(e) => setBy((e.currentTarget as HTMLInputElement).value)} />}
          </Field>
          <button type="submit" disabled={busy}>
            Advance
          </button>
        </form>
        <button type="button" disabled={busy} onClick={() => change({ frozen: !time.frozen })}>
          {time.frozen ? 'Let it run' : 'Freeze'}
        </button>
      </div>
      <FormError message={errors['']} />
    </section>
  )
}
