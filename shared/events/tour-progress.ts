import * as z from '../zod.ts';
import { defineEvent } from './envelope.ts';
import { Country } from './fields.ts';

/** What tours states as it advances a show (source `backline.tours`). Ids and facts only, never mail bodies. */

const ShowRef = z.object({
  labelId: z.string().check(z.minLength(1)),
  tourId: z.string().check(z.minLength(1)),
  showId: z.string().check(z.minLength(1)),
});
const sample = { labelId: 'lbl-nightshift', tourId: 'tour-2027-eu', showId: 'show-berlin-1' };

const toursEvent = <D extends z.ZodMiniType>(
  detailType: string,
  description: string,
  data: D,
  extra: z.input<D>,
) =>
  defineEvent({ detailType, source: 'backline.tours', schemaVersion: 1, description, data, sample: extra });

export const ShowConfirmed = toursEvent(
  'Show Confirmed',
  'A show is confirmed and its advancing steps are scheduled in the venue time zone.',
  z.extend(ShowRef, { date: z.iso.date(), timeZone: z.string().check(z.minLength(1)) }),
  { ...sample, date: '2027-05-14', timeZone: 'Europe/Berlin' },
);

export const AdvanceRequested = toursEvent(
  'Advance Requested',
  "The promoter was mailed the show's advance form.",
  z.extend(ShowRef, { promoterId: z.string().check(z.minLength(1)) }),
  { ...sample, promoterId: 'prm-1f3a' },
);

export const AdvanceReminderSent = toursEvent(
  'Advance Reminder Sent',
  'The promoter was reminded of an advance not yet submitted.',
  z.extend(ShowRef, { promoterId: z.string().check(z.minLength(1)), reminder: z.int().check(z.gte(1)) }),
  { ...sample, promoterId: 'prm-1f3a', reminder: 1 },
);

export const AdvanceOverdue = toursEvent(
  'Advance Overdue',
  'The advance is still not submitted ten days out: the tour manager was told.',
  z.extend(ShowRef, { promoterId: z.string().check(z.minLength(1)) }),
  { ...sample, promoterId: 'prm-1f3a' },
);

export const ShowAdvanced = toursEvent(
  'Show Advanced',
  'The promoter submitted (or amended) the advance form; reminders stop.',
  z.extend(ShowRef, {
    promoterId: z.string().check(z.minLength(1)),
    submittedAt: z.iso.datetime(),
    amended: z.boolean(),
  }),
  { ...sample, promoterId: 'prm-1f3a', submittedAt: '2027-04-20T12:00:00.000Z', amended: false },
);

export const GuestListLocked = toursEvent(
  'Guest List Locked',
  'The guest list closed at its cutoff and was mailed to the promoter.',
  z.extend(ShowRef, { guests: z.int().check(z.gte(0)) }),
  { ...sample, guests: 12 },
);

export const DaySheetSent = toursEvent(
  'Day Sheet Sent',
  "The tour manager (and crew) were mailed the next day's sheet.",
  z.extend(ShowRef, { recipients: z.int().check(z.gte(1)) }),
  { ...sample, recipients: 2 },
);

export const ShowAnnouncedToMedia = toursEvent(
  'Show Announced To Media',
  "Outlets in the show's territory were told of it.",
  z.extend(ShowRef, { country: Country }),
  { ...sample, country: 'DE' },
);

export const ShowCancellationSent = toursEvent(
  'Show Cancellation Sent',
  'Outlets told of a show were told that it is cancelled.',
  ShowRef,
  sample,
);
