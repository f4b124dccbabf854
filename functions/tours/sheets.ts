import type { Contact, Show } from '#shared/events/tour-booked.ts';
import type { Notice } from '#shared/mail/data.ts';
import {
  type AdvanceAnswers,
  advanceFieldLabels,
  type Guest,
  guestCount,
  type StoredShow,
  type StoredTour,
  scheduleRows,
} from '#shared/tours.ts';

/** What each tour mail says: plain notices, rendered by the mail module's `notice` template. */

/** "Friday 14 May 2027" (press lists "Fri 14 May 2027": `weekday` short). */
export const longDate = (date: string, weekday: 'long' | 'short' = 'long'): string =>
  new Intl.DateTimeFormat('en-GB', {
    weekday,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));

const showLine = (tour: StoredTour, show: Show) =>
  `${tour.artist.name} at ${show.venue.name}, ${show.venue.city}, ${longDate(show.date)}`;

const contactLine = (contact: Contact) =>
  [contact.name, contact.email, contact.phone].filter(Boolean).join(', ');

const venueRows = (show: Show) => [
  { label: 'Venue', value: show.venue.name },
  { label: 'Address', value: `${show.venue.address}, ${show.venue.city}, ${show.venue.country}` },
  ...(show.venue.capacity ? [{ label: 'Capacity', value: String(show.venue.capacity) }] : []),
];

const showSection = (show: Show) => ({
  title: 'Show',
  rows: [{ label: 'Date', value: longDate(show.date) }, ...venueRows(show), ...scheduleRows(show)],
});

/** A sheet's subject is its heading. */
const titled = (title: string) => ({ subject: title, heading: title });

const promoterSection = (show: Show) => ({
  title: 'Promoter',
  rows: [{ label: 'Contact', value: contactLine(show.promoter) }],
});

const nameAndPhone = (contact: { name: string; phone: string }) => `${contact.name}, ${contact.phone}`;

export const advanceRows = (answers: AdvanceAnswers) =>
  (Object.keys(advanceFieldLabels) as (keyof AdvanceAnswers)[]).map((key) => {
    const value = answers[key];
    return {
      label: advanceFieldLabels[key],
      value: typeof value === 'object' ? nameAndPhone(value) : String(value),
    };
  });

export function advanceRequestSheet(tour: StoredTour, show: Show, link: string, reminder?: number): Notice {
  return {
    ...titled(`${reminder ? 'Reminder: advance' : 'Advance'} for ${showLine(tour, show)}`),
    recipientName: show.promoter.name,
    lines: [
      reminder
        ? `We have not yet received the advance for ${showLine(tour, show)}. Please fill in the form at the link below; you can amend it until show day.`
        : `Please advance ${showLine(tour, show)} with the form at the link below: load-in, power, hospitality, merch, guest list and settlement. You can amend it until show day.`,
    ],
    link: { url: link, label: 'Open the advance form' },
    sections: [
      showSection(show),
      { title: 'Tour manager', rows: [{ label: 'Contact', value: contactLine(tour.tourManager) }] },
    ],
  };
}

/**
 * The overdue advance, as the tour manager reads it before calling the promoter: it names only the
 * mails the promoter was sent (a show booked late got the request at once, and its past reminders
 * were skipped, docs/design.md#tours).
 */
export function escalationSheet(
  tour: StoredTour,
  show: Show,
  stepsDone: StoredShow['stepsDone'] = {},
): Notice {
  const reminders = (['advance-reminder-1', 'advance-reminder-2'] as const).filter(
    (step) => stepsDone[step],
  ).length;
  const sent = ['after the request', 'after a request and a reminder', 'after a request and two reminders'][
    reminders
  ];
  return {
    ...titled(`Advance overdue: ${showLine(tour, show)}`),
    recipientName: tour.tourManager.name,
    lines: [
      `${show.promoter.name} has not submitted the advance for ${showLine(tour, show)}, due ten days before the show, ${sent}. Please call them.`,
    ],
    sections: [showSection(show), promoterSection(show)],
  };
}

export function unreachableSheet(tour: StoredTour, show: Show, reason: string): Notice {
  return {
    ...titled(`Promoter cannot be reached: ${showLine(tour, show)}`),
    recipientName: tour.tourManager.name,
    lines: [
      `Mail to ${show.promoter.email} for ${showLine(tour, show)} could not be delivered (${reason}). Backline will send nothing more to this address; please reach the promoter another way.`,
    ],
    sections: [showSection(show), promoterSection(show)],
  };
}

/** Travel to the next show when it is in another city: Backline has no travel data, so it says so. */
const travelRows = (show: Show, next: Show | undefined) => {
  if (!next) return [{ label: 'Next show', value: 'none: last show of the tour' }];
  const rows = [
    { label: 'Next show', value: `${longDate(next.date)}, ${next.venue.name}, ${next.venue.city}` },
  ];
  if (next.venue.city.toLowerCase() !== show.venue.city.toLowerCase()) {
    rows.push({ label: 'Travel time', value: 'not known' });
  }
  return rows;
};

export function daySheet(
  tour: StoredTour,
  stored: StoredShow & { show: Show },
  next: Show | undefined,
  recipient: Contact,
  link: string,
  updated = false,
): Notice {
  const show = stored.show;
  const guests = guestCount(stored.guests ?? []);
  const schedule = scheduleRows(show);
  if (show.status === 'cancelled')
    return {
      ...titled(`Cancelled: ${showLine(tour, show)}`),
      recipientName: recipient.name,
      lines: [
        `${showLine(tour, show)} is cancelled: the day sheet we sent no longer stands.`,
        ...(stored.cancellationReason ? [stored.cancellationReason] : []),
      ],
    };
  return {
    ...titled(`${updated ? 'Updated day sheet' : 'Day sheet'}: ${showLine(tour, show)}`),
    recipientName: recipient.name,
    lines: [
      ...(updated ? ['This replaces the day sheet we sent.'] : []),
      `Show day: ${showLine(tour, show)}. All times are venue local time (${show.venue.timeZone}).`,
    ],
    link: { url: link, label: 'Guest list and tour page' },
    sections: [
      {
        title: 'Schedule',
        rows: schedule.length ? schedule : [{ label: 'Times', value: 'not given yet' }],
      },
      { title: 'Venue', rows: venueRows(show) },
      {
        title: 'Contacts',
        rows: [
          { label: 'Promoter', value: contactLine(show.promoter) },
          ...(stored.advance
            ? [{ label: 'On the day', value: nameAndPhone(stored.advance.answers.dayContact) }]
            : []),
          { label: 'Tour manager', value: contactLine(tour.tourManager) },
        ],
      },
      {
        title: 'Advance',
        rows: stored.advance
          ? advanceRows(stored.advance.answers)
          : [{ label: 'Status', value: 'not submitted by the promoter' }],
      },
      { title: 'Guest list', rows: [{ label: 'Guests', value: String(guests) }] },
      { title: 'Travel', rows: travelRows(show, next) },
    ],
  };
}

/** A guest as the guest list states them: the name, and their plus-ones and note. */
const guestRow = (guest: Guest) => ({
  label: guest.name,
  value: `${guest.plusOnes ? `+${guest.plusOnes}` : 'no plus-one'}${guest.note ? ` (${guest.note})` : ''}`,
});

/** The guest list as a text file, a guest a line as the mail's rows state them (`guestListSheet`'s `attached`). */
export const guestListFile = (guests: Guest[]): string =>
  guests.map((guest) => `${guestRow(guest).label}: ${guestRow(guest).value}\r\n`).join('');

/**
 * The guest list to the promoter. `attached`: the name of the file that holds it (`guestListFile`), for
 * a list too long to state in the mail itself (its data past what SES takes, docs/design.md#tours).
 */
export function guestListSheet(tour: StoredTour, show: Show, guests: Guest[], attached?: string): Notice {
  return {
    ...titled(`Guest list: ${showLine(tour, show)}`),
    recipientName: show.promoter.name,
    lines: [
      `The guest list for ${showLine(tour, show)} is closed: ${guestCount(guests)} guests in all. Please give it to the box office.`,
      ...(attached
        ? [`The list is too long for this mail: it is attached (${attached}), a guest a line.`]
        : []),
    ],
    sections: attached
      ? []
      : [
          {
            title: 'Guests',
            rows: guests.length ? guests.map(guestRow) : [{ label: 'Guests', value: 'none' }],
          },
        ],
  };
}
