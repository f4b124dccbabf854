import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';
import { OutletIds } from './outlets-changed.ts';

export const MailKind = z.enum([
  'announcement',
  'date-change',
  'cancellation',
  'out-now',
  'radio-servicing',
  'radio-add-date-change',
]);
export type MailKind = z.infer<typeof MailKind>;

export const MailingRequested = defineEvent({
  detailType: 'Mailing Requested',
  source: 'backline.releases',
  alsoFrom: ['backline.announcer'],
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      releaseId: NonEmpty,
      kind: MailKind,
      /**
       * For a date change: the date and time being announced, part of the mail's identity
       * (docs/design.md#exactly-once-mail); for a radio add-date change, the new add date.
       */
      revision: z.optional(NonEmpty),
      /**
       * For a cancellation: only in these territories (the release stays elsewhere); for a date change:
       * these territories' date moved. Their outlets are told. For a first mail (announcement, radio
       * servicing) of a release out everywhere: these territories were given back, and only the outlets
       * told of a withdrawal since their first mail are announced again; for the out-now such a first
       * mail asks as it completes: those territories, and it goes to the outlets they concern only.
       */
      territories: z.optional(z.array(NonEmpty).check(z.minLength(1))),
      /**
       * The territory moment the mail is about (out-now at it, a date change from it, radio servicing
       * at it), or for a radio add-date change the add date's format and territory; part of its identity.
       */
      moment: z.optional(NonEmpty),
      /**
       * For a date change over territories that moved from different moments (a country moved with WW
       * to the date WW moves to): each territory's old moment (its key) where it is not `moment`, so an
       * address whose first mail kept no told dates hears its own territory's old date.
       */
      movedFrom: z.optional(z.record(NonEmpty, NonEmpty)),
      /**
       * Only these outlets, not the directory: the first mail of a release to outlets added or changed
       * after it went out (`Outlets Changed`), and the follow-ups that mailing asks for. Such a mailing
       * states no completion fact (`Release Announced`, ...): those say every outlet concerned was told.
       */
      outletIds: z.optional(OutletIds),
      /**
       * For an announcement: the one the embargo held, asked at its end (its schedule fired). It states
       * the embargo it held; any other announcement states one only while it holds
       * (docs/design.md#embargoes).
       */
      embargoEnded: z.optional(z.literal(true)),
      cursor: z.optional(NonEmpty),
    }),
});
DOCS: describeEvent(MailingRequested, {
  description:
    'Releases asks the announcer to mail a release to its outlets; the announcer re-emits it with a cursor to continue a long mailing.',
  sample: { labelId: 'lbl-nightshift', releaseId: 'rel-2027-nightdrive', kind: 'announcement' },
});
