import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

/** The four facts the announcer states when a mailing completes, one detail-type per kind of mail. */
const MailingSummary = z.object({
  labelId: NonEmpty,
  releaseId: NonEmpty,
  /** Outlets mailed by this mailing, by any of its runs (the fact is stated once per mailing). */
  sent: z.int().check(z.gte(0)),
  /** Matching outlets skipped because they unsubscribed or are suppressed. */
  skipped: z.int().check(z.gte(0)),
  revision: z.optional(z.string()),
});

const sample = { labelId: 'lbl-nightshift', releaseId: 'rel-2027-nightdrive', sent: 42, skipped: 3 };

export const ReleaseAnnounced = defineEvent({
  detailType: 'Release Announced',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () => MailingSummary,
});
DOCS: describeEvent(ReleaseAnnounced, {
  description: 'Every matching outlet has been sent the announcement of a release.',
  sample,
});

export const ReleaseOutNowSent = defineEvent({
  detailType: 'Release Out Now Sent',
  source: 'backline.announcer',
  schemaVersion: 2,
  data: () =>
    z.object({
      ...MailingSummary.shape,
      /**
       * Outlets whose out-now this mailing claimed and held, unsent, while an earlier out-now of theirs is
       * still open: the stale-claim sweep sends it later only if that one told nothing (absent when none).
       */
      held: z.optional(z.int().check(z.gte(1))),
    }),
});
DOCS: describeEvent(ReleaseOutNowSent, {
  description:
    'Every announced outlet still subscribed has been sent the "out now" mail but `held` outlets, whose out-now waits, unsent, for an earlier one still open: the stale-claim sweep sends it only if that one told nothing.',
  sample,
});

export const ReleaseDateChangeSent = defineEvent({
  detailType: 'Release Date Change Sent',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () => MailingSummary,
});
DOCS: describeEvent(ReleaseDateChangeSent, {
  description: 'Every outlet announced or serviced (radio) has been told the new release date.',
  sample: { ...sample, revision: '2027-03-12T00:00 Europe/London' },
});

export const ReleaseCancellationSent = defineEvent({
  detailType: 'Release Cancellation Sent',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () => MailingSummary,
});
DOCS: describeEvent(ReleaseCancellationSent, {
  description:
    'Every outlet announced or serviced (radio) has been told the release is cancelled (withdrawn, where it was out).',
  sample,
});

export const ReleaseRadioServiced = defineEvent({
  detailType: 'Release Radio Serviced',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () => MailingSummary,
});
DOCS: describeEvent(ReleaseRadioServiced, {
  description:
    'Every radio outlet whose servicing moment has come has been sent the release’s servicing mail.',
  sample,
});

export const ReleaseAddDateChangeSent = defineEvent({
  detailType: 'Release Add Date Change Sent',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () => MailingSummary,
});
DOCS: describeEvent(ReleaseAddDateChangeSent, {
  description: 'Every serviced radio outlet of the format and territory has been told its new add date.',
  sample: { ...sample, revision: '2027-03-08' },
});
