import type { ComponentChildren } from 'preact'

/**
 * A labelled form control with its error next to it: the message is tied to the control
 * (`aria-describedby`, `aria-invalid`), announced when it appears, and marked with an icon and text, not
 * only a colour.
 */
export function Field(props: { id: string; label: string; error?: string | undefined; hint?: string; children: (aria: Record<string, string | undefined>) => ComponentChildren }) {
  const { id, label, error, hint } = props
  const describedBy = [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(' ')
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {props.children({ id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy === '' ? undefined : describedBy })}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert" data-testid={`error-${id}`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  )
}

/** A form's message that belongs to no field. */
export function FormError({ message }: { message: string | undefined }) {
  if (message === undefined) return null
  return (
    <p class="form-error" role="alert">
      <span aria-hidden="true">⚠ </span>
      {message}
    </p>
  )
}
