import { ApiError, type ApiErrorBody } from '../errors.js'

/** One bad field of a request body, as the real API's `badRequestDetail.fields` lists them. */
export interface FieldViolation {
  /** The field's path in the body, e.g. `parts[0].typeName`. */
  readonly field: string
  readonly description: string
}

/**
 * 400 INVALID_ATTRIBUTE naming the first bad field, with every violation in `badRequestDetail` (the real
 * API's shape; keys in its alphabetical order, so `badRequestDetail` comes first).
 */
export class FieldViolationsError extends ApiError {
  constructor(readonly fields: readonly FieldViolation[]) {
    super('INVALID_ATTRIBUTE', [fields.find((f) => f.field !== '')?.field ?? ''])
  }

  override toBody(): ApiErrorBody & { readonly badRequestDetail: { readonly fields: readonly FieldViolation[] } } {
    return { badRequestDetail: { fields: this.fields.map(({ field, description }) => ({ description, field })) }, ...super.toBody() }
  }
}
