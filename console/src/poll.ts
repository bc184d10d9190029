import { createContext } from 'preact'
import { useContext, useEffect, useRef, useState } from 'preact/hooks'

/**
 * Live updates by polling (docs/console.md says why not server-sent events): each view asks again every
 * few seconds while the tab is visible, never twice at once, and at once after the console changed
 * something (`useRefresh().changed()`).
 */

export interface Refresh {
  /** Moves on every change the console makes: views read again. */
  readonly version: number
  changed(): void
}

export const RefreshContext = createContext<Refresh>({ version: 0, changed: () => {} })

export function useRefresh(): Refresh {
  return useContext(RefreshContext)
}

export interface Polled<T> {
  readonly data: T | undefined
  readonly error: unknown
  readonly loading: boolean
  /** Ask again now. */
  reload(): void
}

/**
 * `load` now and every `intervalMs` after the previous answer (while the page is visible), again when
 * `deps` or the refresh version change. An answer to an older question is dropped.
 */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs: number): Polled<T> {
  const { version } = useRefresh()
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true })
  const [nudge, setNudge] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const run = async () => {
      timer = undefined
      if (document.visibilityState === 'hidden') return schedule()
      try {
        const data = await loadRef.current()
        if (!stopped) setState({ data, error: undefined, loading: false })
      } catch (error) {
        if (!stopped) setState((s) => ({ data: s.data, error, loading: false }))
      }
      schedule()
    }
    const schedule = () => {
      if (!stopped && intervalMs > 0) timer = setTimeout(run, intervalMs)
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible' && timer !== undefined) {
        clearTimeout(timer)
        void run()
      }
    }
    setState((s) => ({ ...s, loading: true }))
    void run()
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [...deps, version, nudge, intervalMs])
  return { ...state, reload: () => setNudge((n) => n + 1) }
}
