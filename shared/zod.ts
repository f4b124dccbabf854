import { ZodMiniISODate, ZodMiniISODateTime } from 'zod/mini';
import {
  _isoDate,
  _isoDateTime,
  _length,
  _maxLength,
  _minLength,
  type $ZodCheckLengthEqualsParams,
  type $ZodCheckMaxLengthParams,
  type $ZodCheckMinLengthParams,
  type $ZodISODateParams,
  type $ZodISODateTimeParams,
  type ParsePayload,
} from 'zod/v4/core';

/**
 * zod's functional API (`zod/mini`): the same core as the classic API, but its schemas are built with
 * functions that a bundler can leave out when unused, which keeps function bundles small. Every module
 * that builds schemas imports zod from here. Unlike the classic API it loads no messages: the modules
 * that show a person their input's issues import `./zod-messages.ts`, which sets the English ones
 * (docs/design.md#bundles).
 */
export * from 'zod/mini';

/**
 * `z.iso.date()` and `z.iso.datetime()`, built as `zod/mini` builds them, but not through its `iso`
 * namespace: a bundle that reads a namespace holds all of it (ISO times and durations, which no
 * schema here uses: about 950 bytes of every bundle that checks an instant).
 */
export const isoDate = (params?: string | $ZodISODateParams) => _isoDate(ZodMiniISODate, params);
export const isoDateTime = (params?: string | $ZodISODateTimeParams) =>
  _isoDateTime(ZodMiniISODateTime, params);

/**
 * A length check runs here only on a value its type check took. zod's own runs on any value with a
 * `length`, even one its type check refused (its default `when` runs it past that issue), so
 * `{"length": ":"}` given for an address was told it is no string and also too long; a field of the
 * wrong type is told that once, as other checks are. A refused type is an issue that stops the checks
 * after it (`continue` not true); an `abort` check's issue zod itself stops at.
 */
const sized = (payload: ParsePayload) =>
  payload.issues.every((issue) => issue.continue === true) &&
  (payload.value as { length?: unknown } | null | undefined)?.length !== undefined;
/** The params, with `sized` for `when` (the types leave `when` out of a check's params; zod reads it). */
const onSized = <P extends object>(params: string | P | undefined) =>
  ({ ...(typeof params === 'string' ? { error: params } : params), when: sized }) as P;

export const maxLength = (maximum: number, params?: string | $ZodCheckMaxLengthParams) =>
  _maxLength(maximum, onSized(params));
export const minLength = (minimum: number, params?: string | $ZodCheckMinLengthParams) =>
  _minLength(minimum, onSized(params));
export const length = (exact: number, params?: string | $ZodCheckLengthEqualsParams) =>
  _length(exact, onSized(params));
