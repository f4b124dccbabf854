import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { IsoDate, NonEmpty } from './fields.ts';
import { OutletIds } from './outlets-changed.ts';
import { ShowTimes, Venue } from './tour-booked.ts';

/**
 * The per-show steps of advancing a tour, each a one-time schedule in the venue's time zone
 * (docs/design.md#tours): the advance request 28 days before at 10:00, reminders at 21 and 14
 * days, the escalation to the tour manager at 10 days, the day sheet at 18:00 the day before and the
 * guest-list cutoff on show day.
 */
export const ShowStep = z.enum([
  'advance-request',
  'advance-reminder-1',
  'advance-reminder-2',
  'advance-escalation',
  'day-sheet',
  'guest-list-cutoff',
  // Press (campaign mail): outlets in the show's territory told once it is announced (at `announceAt`,
  // the embargo), and told of its cancellation.
  'press-announcement',
  'press-cancellation',
  // Outlets told of a show hear of its new date, times or venue (at once, when it changes).
  'press-change',
  // The tour manager and crew get the day sheet again when the show's times or venue change on the
  // same show day after the sheet went, or the promoter gives or amends the advance then (at once).
  'day-sheet-update',
]);
export type ShowStep = z.infer<typeof ShowStep>;

export const ShowStepDue = defineEvent({
  detailType: 'Show Step Due',
  source: 'backline.scheduler',
  // A step due at once goes in an outbox under tours' source: tours' own (a show booked late, a change's
  // press or day sheet update) and the advance's write in the recipients function (the day sheet's update).
  alsoFrom: ['backline.tours'],
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      tourId: NonEmpty,
      showId: NonEmpty,
      step: ShowStep,
      scheduledFor: z.isoDateTime(),
      /** Press to a large directory: where the step goes on (tours puts the step on the bus again with it). */
      cursor: z.optional(NonEmpty),
      /**
       * A press announcement for these outlets only, added to the directory (or changed to match) after its
       * press went out (`Outlets Changed`, docs/design.md#tours): the step is not recorded again.
       */
      outletIds: z.optional(OutletIds),
      /**
       * A change's press-change: the date, times and venue the change replaced, which its "Changed" mail
       * states to each address told them (docs/design.md#tours). The venue's texts are as the show kept
       * them: one stored before a name of nothing or holding a control character was refused (December
       * 2026) may hold one, and its step is taken all the same.
       */
      replaced: z.optional(
        z.object({
          date: IsoDate,
          times: ShowTimes,
          venue: z.object({ ...Venue.shape, name: z.string(), address: z.string(), city: z.string() }),
        }),
      ),
    }),
});
DOCS: describeEvent(ShowStepDue, {
  description:
    "A show's step fell due; it carries the instant it was set for, and tours ignores it when the show changed since.",
  sample: {
    labelId: 'lbl-nightshift',
    tourId: 'tour-2027-eu',
    showId: 'show-berlin-1',
    step: 'advance-request',
    scheduledFor: '2027-04-16T08:00:00.000Z',
  },
});
