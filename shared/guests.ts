import { Line, Name } from './events/fields.ts';
import * as z from './zod.ts';

/**
 * A guest as the tour manager's page and the manager's API add one, and why one could not be added:
 * apart from shared/tours.ts, so the tours function, which reads guest lists but takes no guests, bundles
 * none of these schemas (docs/design.md#bundles).
 */

// The message is the whole-number check's own: the limits and a value that is no number keep theirs, so a
// 400 names the rule the value breaks (docs/design.md#routes-and-auth).
const PlusOnes = z.number().check(z.int('must be a whole number'), z.gte(0), z.lte(10));
// One line beside the guest's on the door list; left out when there is none.
const GuestNote = z.optional(Line(500));

/**
 * A guest as the tour manager's page adds one: open, because its form sends the guest among its other
 * fields (`csrf`, `showId`), and every field is text, so `plusOnes` is read as a number.
 */
export const GuestInput = z.lazy(() =>
  z.object({
    // A `Name` as the label's are: refused when it shows as nothing or holds a control character.
    name: Name,
    // Text that is no number becomes NaN, which zod's own message would show to the tour manager as such.
    plusOnes: z._default(
      z.pipe(
        z.coerce.number({
          error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number' : undefined),
        }),
        PlusOnes,
      ),
      0,
    ),
    note: GuestNote,
  }),
);

/**
 * A guest as the manager's API adds one (JSON): closed, as every JSON body of the API is, and
 * `plusOnes` a number, not text read as one (docs/design.md#routes-and-auth).
 */
export const GuestJson = z.lazy(() =>
  z.strictObject({
    name: Name,
    plusOnes: z._default(PlusOnes, 0),
    note: GuestNote,
  }),
);

/** Why guests could not be added, as the manager reads it. */
export const guestRefusals = {
  locked: 'the guest list is closed: it closed at its cutoff and goes to the promoter as it stood then',
  cancelled: 'the show is cancelled',
  full: 'the guest list is full',
  listed: 'a guest of that name is on the list already',
  unknown: 'show not found',
} as const;
