import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { Country, NonEmpty } from './fields.ts';

/** What tours states as it advances a show (source `backline.tours`). Ids and facts only, never mail bodies. */

/**
 * The show a tours event is about. Its events add their fields to its shape (`z.object({ ...ShowRef.shape,
 * ... })`), the same schema as zod's `z.extend` builds of a plain object, without that function's code:
 * 1.3 KB of the tours bundle (see docs/design.md#bundles).
 */
export const ShowRef = z.object({
  labelId: NonEmpty,
  tourId: NonEmpty,
  showId: NonEmpty,
});
export const sample = { labelId: 'lbl-nightshift', tourId: 'tour-2027-eu', showId: 'show-berlin-1' };

export const toursEvent = <D extends z.ZodMiniType>(detailType: string, data: () => D) =>
  defineEvent({ detailType, source: 'backline.tours', schemaVersion: 1, data });

export const ShowConfirmed = toursEvent('Show Confirmed', () =>
  z.object({ ...ShowRef.shape, date: z.isoDate(), timeZone: NonEmpty }),
);
DOCS: describeEvent(ShowConfirmed, {
  description: 'A show is confirmed and its advancing steps are scheduled in the venue time zone.',
  sample: { ...sample, date: '2027-05-14', timeZone: 'Europe/Berlin' },
});

export const AdvanceRequested = toursEvent('Advance Requested', () =>
  z.object({ ...ShowRef.shape, promoterId: NonEmpty }),
);
DOCS: describeEvent(AdvanceRequested, {
  description: "The promoter was mailed the show's advance form.",
  sample: { ...sample, promoterId: 'prm-1f3a' },
});

export const AdvanceReminderSent = toursEvent('Advance Reminder Sent', () =>
  z.object({ ...ShowRef.shape, promoterId: NonEmpty, reminder: z.int().check(z.gte(1)) }),
);
DOCS: describeEvent(AdvanceReminderSent, {
  description: 'The promoter was reminded of an advance not yet submitted.',
  sample: { ...sample, promoterId: 'prm-1f3a', reminder: 1 },
});

export const AdvanceOverdue = toursEvent('Advance Overdue', () =>
  z.object({ ...ShowRef.shape, promoterId: NonEmpty }),
);
DOCS: describeEvent(AdvanceOverdue, {
  description: 'The advance is still not submitted ten days out: the tour manager was told.',
  sample: { ...sample, promoterId: 'prm-1f3a' },
});

export const GuestListLocked = toursEvent('Guest List Locked', () =>
  z.object({ ...ShowRef.shape, guests: z.int().check(z.gte(0)) }),
);
DOCS: describeEvent(GuestListLocked, {
  description: 'The guest list closed at its cutoff and was mailed to the promoter.',
  sample: { ...sample, guests: 12 },
});

export const DaySheetSent = toursEvent('Day Sheet Sent', () =>
  z.object({ ...ShowRef.shape, recipients: z.int().check(z.gte(1)) }),
);
DOCS: describeEvent(DaySheetSent, {
  description: "The tour manager (and crew) were mailed the next day's sheet.",
  sample: { ...sample, recipients: 2 },
});

export const ShowAnnouncedToMedia = toursEvent('Show Announced To Media', () =>
  z.object({ ...ShowRef.shape, country: Country }),
);
DOCS: describeEvent(ShowAnnouncedToMedia, {
  description: "Outlets in the show's territory were told of it.",
  sample: { ...sample, country: 'DE' },
});

export const ShowCancellationSent = toursEvent('Show Cancellation Sent', () => ShowRef);
DOCS: describeEvent(ShowCancellationSent, {
  description: 'Outlets told of a show were told that it is cancelled.',
  sample,
});
