import { keyOf } from './keys.ts';

/**
 * The keys of a job's items and when they expire (see shared/db/jobs.ts for the access patterns): apart
 * from the job store, so the publisher, which tells a replay what it could not republish
 * (shared/db/replay-rejections.ts), imports none of the store's commands.
 */

/** Jobs and their input are kept for 30 days. */
export const jobRetentionMs = 30 * 24 * 60 * 60 * 1000;
/** When a job's items expire (their TTL `expiresAt`, epoch seconds), from when it was created. */
export const jobExpiresAt = (createdAt: string) =>
  Math.floor((Date.parse(createdAt) + jobRetentionMs) / 1000);

export const jobKey = (jobId: string) => ({ pk: keyOf('JOB', jobId), sk: 'JOB' });
// Zero-padded, so a job's chunks and page results read back in page order.
export const pad = (page: number) => String(page).padStart(6, '0');
export const jobInputKey = (jobId: string, page: number) => ({
  pk: keyOf('JOB', jobId),
  sk: keyOf('INPUT', pad(page)),
});
export const jobPageKey = (jobId: string, page: number) => ({
  pk: keyOf('JOB', jobId),
  sk: keyOf('PAGE', pad(page)),
});
/**
 * A record a page put back that the publisher could not republish, after that page's own item. A JSON
 * webhook's `webhook-id` and an ERN message's `MessageId` may be the same text (two records:
 * shared/db/webhooks.ts), so the record's format is a part of its own: an ERN message's row keeps the key
 * such rows had before JSON webhooks' were told apart (the rows told so far are ERN messages the reader,
 * stricter since, refuses), so a tell repeated across that change finds its row.
 */
export const replayRejectionKey = (jobId: string, page: number, webhookId: string, format?: 'ern') => ({
  pk: keyOf('JOB', jobId),
  sk: format === 'ern' ? keyOf('PAGE', pad(page), webhookId) : keyOf('PAGE', pad(page), webhookId, 'WEBHOOK'),
});

/**
 * A rejected row's reason as stored and shown, at most (UTF-8): a row with hundreds of bad cells, or a
 * record the publisher could not build for a long list of fields, stays a line, not a page (a page's
 * item holds up to 500 of them: see `maxNotedRowsPerPage` in shared/db/jobs.ts for the sum).
 */
export const maxReasonBytes = 300;

const utf8 = new TextEncoder();

/** `reason` in at most `maxReasonBytes` of UTF-8, cut between characters and ended by `…` (three bytes) where cut. */
export const shortReason = (reason: string): string =>
  utf8.encode(reason).length > maxReasonBytes
    ? `${reason.slice(0, utf8.encodeInto(reason, new Uint8Array(maxReasonBytes - 3)).read)}…`
    : reason;
