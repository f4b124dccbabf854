import { ZodMiniISODate, ZodMiniISODateTime } from 'zod/mini';
import { _isoDate, _isoDateTime, type $ZodISODateParams, type $ZodISODateTimeParams } from 'zod/v4/core';

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
