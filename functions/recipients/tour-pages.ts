import type { Show } from '#shared/events/tour-booked.ts';
import { type Markup, markup } from '#shared/http/markup.ts';
import { page, sentence } from '#shared/http/page.ts';
import { formatInstant } from '#shared/mail/data.ts';
import type { AdvanceAnswers, AdvanceStatus, StoredShow, StoredTour } from '#shared/tours.ts';
import {
  advanceFieldLabels,
  advanceStatusOf,
  guestCount,
  guestListClosed,
  scheduleRows,
} from '#shared/tours.ts';

/**
 * The pages a promoter (`/a/{token}`) and a tour manager (`/tm/{token}`) open: server-rendered, one
 * inline stylesheet, readable on a phone; each form posts to its own link (empty action) with a CSRF
 * token bound to that link.
 */

export type FieldErrors = Partial<Record<string, string>>;

const showFacts = (show: Show) => markup`<dl>
<dt>Date</dt><dd>${show.date}</dd>
<dt>Venue</dt><dd>${show.venue.name}</dd>
<dt>Address</dt><dd>${show.venue.address}, ${show.venue.city}, ${show.venue.country}</dd>
${show.venue.capacity ? markup`<dt>Capacity</dt><dd>${show.venue.capacity}</dd>` : ''}
${scheduleRows(show).map((row) => markup`<dt>${row.label}</dt><dd>${row.value}</dd>`)}
</dl>`;

type TextField = Exclude<keyof AdvanceAnswers, 'guestListAllotment' | 'dayContact'>;
const longFields: TextField[] = [
  'loadInAccess',
  'parking',
  'power',
  'backline',
  'hospitality',
  'dressingRooms',
];
const shortFields: TextField[] = [
  'wifi',
  'merchSplit',
  'merchSeller',
  'localCrewCall',
  'settlementMethod',
  'settlementCurrency',
];

export type AdvanceFormValues = Partial<Record<string, string>>;

export const formValuesOf = (answers: AdvanceAnswers | undefined): AdvanceFormValues =>
  answers
    ? {
        ...Object.fromEntries([...longFields, ...shortFields].map((key) => [key, answers[key]])),
        guestListAllotment: String(answers.guestListAllotment),
        dayContactName: answers.dayContact.name,
        dayContactPhone: answers.dayContact.phone,
      }
    : {};

const fieldError = (errors: FieldErrors, name: string) =>
  errors[name] ? markup`<span class="error" id="${name}-error">${errors[name]}</span>` : '';
/** A refused field's control says so, and why, to a screen reader: its refusal is its description. */
const refusedControl = (errors: FieldErrors, name: string) =>
  errors[name] ? markup` aria-invalid="true" aria-describedby="${name}-error"` : '';

const textArea = (name: TextField, values: AdvanceFormValues, errors: FieldErrors) => markup`
<label for="${name}">${advanceFieldLabels[name]}</label>
<textarea id="${name}" name="${name}" rows="2" required${refusedControl(errors, name)}>${values[name] ?? ''}</textarea>${fieldError(errors, name)}`;

const input = (
  name: string,
  label: string,
  values: AdvanceFormValues,
  errors: FieldErrors,
  type = 'text',
  extra: Markup | string = '',
) => markup`
<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="${type}" value="${values[name] ?? ''}" required ${extra}${refusedControl(errors, name)}>${fieldError(errors, name)}`;

/** The form's fields a promoter answers, as the form labels them, each marked at its control when refused. */
const formFieldLabels: Record<string, string> = {
  ...Object.fromEntries([...longFields, ...shortFields].map((name) => [name, advanceFieldLabels[name]])),
  guestListAllotment: advanceFieldLabels.guestListAllotment,
  dayContactName: 'Contact on the day: name',
  dayContactPhone: 'Contact on the day: phone',
};
const answerFields = Object.keys(formFieldLabels);

/** A guest's fields as the tour manager's form labels them: a person reads the message, not the field's name. */
export const guestFieldLabels: Record<string, string> = {
  name: 'Guest name',
  plusOnes: 'Plus-ones',
  note: 'Note',
};

/**
 * What a post refused as a whole sent, field by field as its form labels them (`labels`: the advance
 * form's, or the guest form's), those left blank left out, a line break as one, as the answer takes it,
 * for the promoter (or the tour manager) to keep.
 */
const sentList = (values: AdvanceFormValues, labels = formFieldLabels) =>
  markup`<dl>${Object.keys(labels)
    .filter((name) => values[name]?.trim())
    .map((name) => markup`<dt>${labels[name]}</dt><dd>${values[name]?.replace(/\r\n?/g, '\n')}</dd>`)}</dl>`;
const sentSection = (sent: AdvanceFormValues | undefined, labels = formFieldLabels) =>
  sent ? markup`<h2>What you sent, not saved</h2>${sentList(sent, labels)}` : '';

/**
 * What the page says of the refused fields: those marked at their control, and by name those the form
 * shows no control for (a hidden one given twice, one it never sends), which no mark would show; the form
 * below sends neither again.
 */
const refusals = (errors: FieldErrors) => {
  const refused = Object.keys(errors);
  const unmarked = refused.filter((name) => !answerFields.includes(name));
  const sentences = [
    ...(unmarked.length < refused.length ? [markup`Please check the fields marked below.`] : []),
    ...unmarked.map((name) => markup`The form&rsquo;s field ${name} ${errors[name]}.`),
    ...(unmarked.length ? [markup`Nothing was saved: please send the form below again.`] : []),
  ];
  return refused.length
    ? markup`<p class="error" role="alert">${sentences.map((sentence, i) => markup`${i ? ' ' : ''}${sentence}`)}</p>`
    : '';
};

export function advanceFormPage(view: {
  tour: StoredTour;
  show: Show;
  values: AdvanceFormValues;
  errors: FieldErrors;
  csrf: string;
  submittedAt?: string;
  lockAt: string;
  /** The show as this form states it (`showFactsHash`), posted back: a show changed meanwhile is not answered unseen. */
  version: string;
  /** Posted from a form that stated the show otherwise: it is shown as it is now, with the answers given. */
  changed?: boolean;
  /** When the advance this form shows was saved last (`advancedAt`; '' for none), posted back. */
  advanced: string;
  /**
   * Posted from a form opened before the advance was saved again (another tab, someone else with the link):
   * the answers saved since, shown above the answers given.
   */
  savedSince?: AdvanceAnswers;
  /** Posted while DynamoDB was busy: the answers given, to submit again in a moment. */
  busy?: boolean;
  /** The instants of this form's saves a 503 left unconfirmed, posted back: one that landed is this form's own. */
  pending?: string;
}): string {
  const { show, values, errors } = view;
  // Only the page listing the answers saved since states when they were (`advanced`, read from the store
  // then): a form posted back names its advance as it came, which need not be an instant at all.
  const savedAt = view.savedSince && view.advanced ? formatInstant(view.advanced, show.venue.timeZone) : '';
  return page(
    `Advance: ${view.tour.artist.name} at ${show.venue.name}`,
    markup`${view.submittedAt ? markup`<p class="note">Thank you: your advance is recorded (first submitted ${formatInstant(view.submittedAt, show.venue.timeZone)}). You can amend it until ${formatInstant(view.lockAt, show.venue.timeZone)}, the start of show day at the venue.</p>` : markup`<p>Please tell us how the show day works at your venue. You can come back to this page and amend it until show day.</p>`}
${view.busy ? markup`<p class="error" role="alert">Backline was too busy to save your answers just now, or to confirm they were saved. They are in the form below: please submit it again in a moment.</p>` : ''}
${view.changed ? markup`<p class="error" role="alert">The show changed since this form was opened: it is now as below. Nothing was saved: please check your answers against it and submit again.</p>` : ''}
${view.savedSince ? markup`<p class="error" role="alert">The advance was saved from another window, or by someone else with this link, after this form was opened (${savedAt}). Nothing of this form was saved: the answers saved then are listed first, yours are in the form; submitted again, yours replace them.</p><h2>Saved ${savedAt}</h2>${answersList(view.savedSince)}` : ''}
${refusals(errors)}
<h2>The show</h2>
${showFacts(show)}
<form method="post" action="">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="show" value="${view.version}">
<input type="hidden" name="advanced" value="${view.advanced}">
${view.pending ? markup`<input type="hidden" name="pending" value="${view.pending}">` : ''}
<h2>Your answers</h2>
${longFields.map((name) => textArea(name, values, errors))}
${input('wifi', advanceFieldLabels.wifi, values, errors)}
${input('merchSplit', advanceFieldLabels.merchSplit, values, errors)}
${input('merchSeller', advanceFieldLabels.merchSeller, values, errors)}
${input('guestListAllotment', advanceFieldLabels.guestListAllotment, values, errors, 'number', markup`min="0" max="1000" inputmode="numeric"`)}
${input('localCrewCall', advanceFieldLabels.localCrewCall, values, errors)}
${input('settlementMethod', advanceFieldLabels.settlementMethod, values, errors)}
${input('settlementCurrency', advanceFieldLabels.settlementCurrency, values, errors, 'text', markup`maxlength="3" autocapitalize="characters"`)}
${input('dayContactName', formFieldLabels.dayContactName, values, errors)}
${input('dayContactPhone', formFieldLabels.dayContactPhone, values, errors, 'tel')}
<button type="submit">${view.submittedAt ? 'Save changes' : 'Submit the advance'}</button>
</form>`,
  );
}

const answersList = (answers: AdvanceAnswers) =>
  markup`<dl>${(Object.keys(advanceFieldLabels) as (keyof AdvanceAnswers)[]).map((key) => {
    const value = answers[key];
    return markup`<dt>${advanceFieldLabels[key]}</dt><dd>${typeof value === 'object' ? `${value.name}, ${value.phone}` : value}</dd>`;
  })}</dl>`;

export function advanceReadOnlyPage(view: {
  tour: StoredTour;
  show: Show;
  answers?: AdvanceAnswers;
  /** What a post refused for the lock sent: listed as not saved, so the promoter keeps what they typed. */
  sent?: AdvanceFormValues;
}): string {
  return page(
    `Advance: ${view.tour.artist.name} at ${view.show.venue.name}`,
    markup`<p class="note">The advance is closed: it locked at the start of show day.${view.answers ? '' : ' No advance was submitted.'}</p>
${view.sent ? markup`<p class="error" role="alert">What you sent came after the advance closed, and was not saved: it is listed below, to pass on to the tour manager.</p>` : ''}
<h2>The show</h2>
${showFacts(view.show)}
${view.answers ? markup`<h2>Your answers</h2>${answersList(view.answers)}` : ''}
${sentSection(view.sent)}`,
  );
}

export function advanceSavedPage(view: {
  tour: StoredTour;
  show: Show;
  answers: AdvanceAnswers;
  amended: boolean;
}): string {
  return page(
    view.amended ? 'Advance updated' : 'Advance received',
    markup`<p class="note">Thank you. ${view.amended ? 'Your changes are saved.' : 'The tour manager has your answers.'} You can open your link again to amend them until show day.</p>
<h2>${view.tour.artist.name} at ${view.show.venue.name}, ${view.show.date}</h2>
${answersList(view.answers)}`,
  );
}

/** A show's advance as the tour manager reads it (the escalation comes to them when it is overdue). */
const advanceStatusText: Record<AdvanceStatus, string> = {
  'not-requested': 'not requested yet',
  requested: 'requested, not yet in',
  reminded: 'reminded, not yet in',
  overdue: 'overdue: still not in ten days before the show',
  submitted: 'submitted',
};

/** Which of the tour's shows a page of the tour manager's page holds, as `page` of `pages` (from 1). */
export interface TourPageSpan {
  page: number;
  pages: number;
  first: number;
  last: number;
  total: number;
}

/** Links to the pages of shows before and after this one (relative: the same signed link, paged). */
const showsNav = (span: TourPageSpan) =>
  span.pages > 1
    ? markup`<nav aria-label="Pages of shows"><p>Shows ${span.first} to ${span.last} of ${span.total} (page ${span.page} of ${span.pages})</p>
${span.page > 1 ? markup`<a rel="prev" href="?page=${span.page - 1}">Earlier shows</a> ` : ''}${span.page < span.pages ? markup`<a rel="next" href="?page=${span.page + 1}">Later shows</a>` : ''}</nav>`
    : '';

/**
 * A guest the tour manager's form sent and the page refused: the show, what was typed and, refused for a
 * field, the field and why (a guest not added, or DynamoDB busy, names none: the page's alert says why).
 */
export interface GuestRefused {
  showId: string;
  field?: string;
  text?: string;
  values: Record<string, string | undefined>;
}

export function tourManagerPage(view: {
  tour: StoredTour;
  /** The shows of this page only (`span`), each with its whole guest list. */
  shows: (StoredShow & { show: Show })[];
  span: TourPageSpan;
  csrf: string;
  /** The page's time: a show whose guest list closed by then (its cutoff passed, guestListClosed) offers no guest form. */
  now: string;
  message?: { kind: 'note' | 'error'; text: string };
  /**
   * A refused guest: its show's form keeps what was typed and marks the refused field with why; a show
   * whose form is gone (its list closed, the show cancelled) lists what was typed as not saved.
   */
  refused?: GuestRefused;
}): string {
  const { refused } = view;
  const refusedAt = (showId: string, field: string) => refused?.showId === showId && refused.field === field;
  /** The guest form's control `field` of `showId`: as typed when refused there; refused, its refusal is its description. */
  const guestControl = (showId: string, field: 'name' | 'plusOnes', fallback: string) => {
    const value = refused?.showId === showId ? (refused.values[field] ?? fallback) : fallback;
    return refusedAt(showId, field)
      ? markup` value="${value}" aria-invalid="true" aria-describedby="refused-${showId}"`
      : markup` value="${value}"`;
  };
  const refusal = (showId: string, field: string) =>
    refusedAt(showId, field)
      ? markup`<span class="error" id="refused-${showId}">${refused?.text}</span>`
      : '';
  return page(
    `${view.tour.artist.name}: tour ${view.tour.tourId}`,
    markup`${view.message ? markup`<p class="${view.message.kind}" role="${view.message.kind === 'error' ? 'alert' : 'status'}">${view.message.text}</p>` : ''}
${showsNav(view.span)}
${view.shows.map(
  (stored) => markup`<section id="show-${stored.showId}">
<h2>${stored.show.date}: ${stored.show.venue.name}, ${stored.show.venue.city} (${stored.show.status})</h2>
${stored.show.status === 'cancelled' ? '' : markup`<p>Advance: ${advanceStatusText[advanceStatusOf(stored)]}</p>${stored.advance ? markup`<p><a href="?advance=${encodeURIComponent(stored.showId)}">Read the promoter&rsquo;s answers</a></p>` : ''}`}
<p>Guest list: ${guestCount(stored.guests ?? [])} guests${stored.guestListLockedAt ? ' (closed, sent to the promoter)' : guestListClosed(stored, view.now) ? ' (closed)' : ''}</p>
<ul>${(stored.guests ?? []).map((guest) => markup`<li>${guest.name}${guest.plusOnes ? ` +${guest.plusOnes}` : ''}</li>`)}</ul>
${
  guestListClosed(stored, view.now) || stored.show.status === 'cancelled'
    ? refused?.showId === stored.showId
      ? sentSection(refused.values, guestFieldLabels)
      : ''
    : markup`<form method="post" action="">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="showId" value="${stored.showId}">
<label for="name-${stored.showId}">Guest name</label><input id="name-${stored.showId}" name="name" required maxlength="200"${guestControl(stored.showId, 'name', '')}>${refusal(stored.showId, 'name')}
<label for="plus-${stored.showId}">Plus-ones</label><input id="plus-${stored.showId}" name="plusOnes" type="number" min="0" max="10" inputmode="numeric"${guestControl(stored.showId, 'plusOnes', '0')}>${refusal(stored.showId, 'plusOnes')}
<button type="submit">Add to the guest list</button>
</form>`
}
</section>`,
)}
${showsNav(view.span)}`,
  );
}

/**
 * A show's advance as the promoter gave it, for the tour manager (`/tm/{token}?advance=<showId>`): a page
 * of its own, so the tour's pages keep to their size (docs/design.md#signed-pages).
 */
export function tourManagerAdvancePage(view: {
  tour: StoredTour;
  show: Show;
  advance: NonNullable<StoredShow['advance']>;
  /** Show day 00:00 at the venue, when the promoter's form turns read-only (`advanceLockAt`). */
  lockAt: string;
  /** Whether that time has come. */
  locked: boolean;
}): string {
  const { show, advance } = view;
  const zone = show.venue.timeZone;
  return page(
    `Advance: ${view.tour.artist.name} at ${show.venue.name}, ${show.date}`,
    markup`<p class="note">The promoter, ${show.promoter.name}, submitted it ${formatInstant(advance.submittedAt, zone)}${advance.amendedAt ? `, and last amended it ${formatInstant(advance.amendedAt, zone)}` : ''}. ${view.locked ? 'Show day has begun: it can no longer be amended.' : `They can amend it until ${formatInstant(view.lockAt, zone)}, the start of show day.`}</p>
<p><a href="?">All shows of the tour</a></p>
<h2>The show</h2>
${showFacts(show)}
<h2>The promoter&rsquo;s answers</h2>
${answersList(advance.answers)}`,
  );
}

/**
 * A link that opens nothing, with what its holder can do: a damaged one is sent again by whoever sends it
 * (the promoter's by the tour manager, the tour manager's by the production manager); an expired one ended
 * with its show, or the tour's last show, so a new one would not work either.
 */
export const tourLinkInvalidPage = (
  message: string,
  tourManager = false,
  expired = false,
  /** What a post from the link's form sent, listed as not saved: the promoter (or the tour manager) keeps what they typed. */
  sent?: AdvanceFormValues,
): string =>
  page(
    'This link does not work',
    markup`<p>${sentence(message)}. ${
      expired
        ? `It worked until a day after ${tourManager ? 'the tour’s last show' : 'the show'}.`
        : `Please use the link from the mail exactly as it was sent, or ask ${tourManager ? 'the production manager' : 'the tour manager'} for a new one.`
    }</p>
${sentSection(sent, tourManager ? guestFieldLabels : formFieldLabels)}`,
  );

/**
 * An advance link whose show was since given to another promoter (410: it worked, and never will again).
 * With what a post of its form sent (`sent`), that listed as not saved: the promoter keeps what they typed.
 */
export const advanceLinkReplacedPage = (sent?: AdvanceFormValues): string =>
  page(
    'This link is no longer valid for this show',
    markup`<p>The show has been given to another promoter, so this advance form takes no answers from this link any more, and nothing was saved. If you still promote this show, please ask the tour manager.</p>
${sentSection(sent)}`,
  );

/**
 * An advance link whose show is cancelled (410: the form takes no answers for it any more). With what a
 * post of its form sent (`sent`), that listed as not saved: the promoter keeps what they typed.
 */
export const advanceShowCancelledPage = (show?: Show, sent?: AdvanceFormValues): string =>
  page(
    'This show is cancelled',
    markup`<p>${show ? `The show on ${show.date} at ${show.venue.name}, ${show.venue.city}` : 'The show'} is cancelled, so its advance form takes no answers any more, and nothing was saved. Questions about it go to the tour manager.</p>
${sentSection(sent)}`,
  );

/**
 * A post without its link's CSRF token. With what its post sent (`sent`, labelled as its form labels it:
 * the advance form's, or the guest form's), that listed as not saved: whoever typed it keeps it.
 */
export const formExpiredPage = (sent?: AdvanceFormValues, labels = formFieldLabels): string =>
  page(
    'Please reload the page',
    markup`<p>This form could not be checked, and nothing was saved: open the link from the mail again and resubmit.</p>
${sentSection(sent, labels)}`,
  );

/**
 * An advance, or a guest (`labels`: the guest form's), posted while DynamoDB was too busy to read its show
 * (503): nothing was saved, and what the post sent is listed, not saved, should the form come back empty.
 */
export const busyPostPage = (sent: AdvanceFormValues, labels = formFieldLabels): string =>
  page(
    'Busy for a moment',
    markup`<p>Nothing was saved. Please go back to the form and submit it again in a moment: the link still works. What you sent is listed below, should the form come back empty.</p>
${sentSection(sent, labels)}`,
  );
