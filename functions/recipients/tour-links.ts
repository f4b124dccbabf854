import '#shared/zod-messages.ts';
import { isBusyError } from '#shared/db/conflicts.ts';
import { showRefOf, type TourStore } from '#shared/db/tours.ts';
import { Currency, Line, Text } from '#shared/events/fields.ts';
import { outboxEntry, ShowAdvanced, ShowStepDue } from '#shared/events/index.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { GuestInput, guestRefusals } from '#shared/guests.ts';
import { formFields, type HttpResult, html, type Issue, seeOther } from '#shared/http/index.ts';
import { withoutBidiControls } from '#shared/http/markup.ts';
import { notExpired, openAdvanceToken, openTourManagerToken } from '#shared/token-payloads.ts';
import { csrfTokenFor, InvalidTokenError, sameCsrfToken } from '#shared/tokens.ts';
import {
  type AdvanceAnswers,
  advancedAt,
  advanceLinkExpiry,
  advanceLockAt,
  daySheetWent,
  type StoredShow,
  sameAnswers,
  showFactsHash,
  tourManagerLinkExpiry,
} from '#shared/tours.ts';
import * as z from '#shared/zod.ts';
import {
  type AdvanceFormValues,
  advanceFormPage,
  advanceLinkReplacedPage,
  advanceReadOnlyPage,
  advanceSavedPage,
  advanceShowCancelledPage,
  busyPostPage,
  type FieldErrors,
  formExpiredPage,
  formValuesOf,
  type GuestRefused,
  guestFieldLabels,
  type TourPageSpan,
  tourLinkInvalidPage,
  tourManagerAdvancePage,
  tourManagerPage,
} from './tour-pages.ts';

/** The promoter's advance page and the tour manager's page, behind their signed links. */

export interface PagesDeps {
  signingKey: () => Promise<string>;
  tours: TourStore;
  now: () => Date;
}

/** An answer left blank, or too long to take, is told so in the promoter's words. */
const inWords = (length: number, empty = 'please fill this in') => ({
  empty,
  tooLong: `please shorten it to ${length} characters at most`,
});
/**
 * An answer as the promoter means it: the form shows answers without bidi controls (escapeHtml), so
 * they are taken without them, and the form sent back unchanged gives the same answers
 * (docs/design.md#signed-pages). A browser posts each line break of a textarea as CR LF (HTML's form
 * submission), where the promoter typed, and counts, one character: taken as LF, so a line break counts
 * once towards an answer's length. Then held as the label's texts are (docs/design.md#routes-and-auth):
 * a textarea's answer as `Text`, of several lines, an input's as a `Line`.
 */
const answer = <Held extends z.ZodMiniType<string, string>>(held: Held) =>
  z.pipe(z.string().check(z.overwrite((value) => withoutBidiControls(value).replace(/\r\n?/g, '\n'))), held);
const lines = answer(Text(2000, inWords(2000)));
const line = answer(Line(2000, inWords(2000)));

const allotmentRange = 'must be a whole number from 0 to 1000';

/** The advance form's fields, named as the form names them. */
export const AdvanceForm = z.object({
  // The textareas (tour-pages.ts's longFields) take several lines; the inputs one.
  loadInAccess: lines,
  parking: lines,
  power: lines,
  backline: lines,
  wifi: line,
  hospitality: lines,
  dressingRooms: lines,
  merchSplit: line,
  merchSeller: line,
  // Digits only: a blank or other text is refused, not read as a number (`Number('')` is 0 guests).
  // One message for every way to miss, in the promoter's words, as the field's min and max say.
  guestListAllotment: z.pipe(
    z.pipe(z.string().check(z.trim(), z.regex(/^\d+$/, allotmentRange)), z.transform(Number)),
    z.number().check(z.lte(1000, allotmentRange)),
  ),
  localCrewCall: line,
  settlementMethod: line,
  // An ISO 4217 code as the budgets take one (`Currency`): a typo (EUE) or a made-up code (ABC) is no currency.
  settlementCurrency: z.pipe(z.string().check(z.trim(), z.toUpperCase()), Currency),
  dayContactName: line,
  dayContactPhone: answer(
    Line(40, inWords(40, 'please give a phone number')).check(z.minLength(3, 'please give a phone number')),
  ),
});

/**
 * Every field of the form, left blank: a post that leaves a field out (not the form's own, which sends
 * them all) gets it marked as one left blank, in the promoter's words, not zod's "expected string".
 */
const blankForm: Record<string, string> = Object.fromEntries(
  Object.keys(AdvanceForm.shape).map((name) => [name, '']),
);

/** A form schema's issues, each by the name of its field. */
const fieldIssues = (error: z.core.$ZodError | undefined): Issue[] =>
  (error?.issues ?? []).map((issue) => ({ path: String(issue.path[0]), message: issue.message }));

/**
 * A link refused as forged, damaged or expired: a page saying so to its holder (the tour manager's,
 * `tourManager`), listing what a post from its form sent (`sent`) as not saved.
 */
const invalid = (error: unknown, tourManager = false, sent?: AdvanceFormValues): HttpResult | undefined =>
  error instanceof InvalidTokenError
    ? html(
        error.reason === 'expired' ? 410 : 404,
        tourLinkInvalidPage(error.message, tourManager, error.reason === 'expired', sent),
      )
    : undefined;

/**
 * A post refused for its link: expired while its form was being filled in, what the post sent (`fields`,
 * its form as the post read it) is listed as not saved, as after the lock (a post not from this link's
 * form is shown nothing of itself); a forged or damaged link served no form. The tour manager's
 * (`tourManager`) as the promoter's.
 */
async function postRefused(
  error: unknown,
  token: string,
  fields: AdvanceFormValues,
  deps: PagesDeps,
  tourManager = false,
): Promise<HttpResult | undefined> {
  const expired = error instanceof InvalidTokenError && error.reason === 'expired';
  const fromForm = expired && sameCsrfToken(await deps.signingKey(), token, fields.csrf ?? '');
  return invalid(error, tourManager, fromForm ? fields : undefined);
}

const showGone = () => html(404, tourLinkInvalidPage('this show is no longer on the tour'));
const linkReplaced = (sent?: AdvanceFormValues) => html(410, advanceLinkReplacedPage(sent));
const showCancelled = (show?: Show, sent?: AdvanceFormValues) =>
  html(410, advanceShowCancelledPage(show, sent));

async function advanceContext(token: string, deps: PagesDeps) {
  const key = await deps.signingKey();
  const claims = openAdvanceToken(key, token);
  const [tour, stored] = await Promise.all([
    deps.tours.getTour(claims.labelId, claims.tourId),
    deps.tours.getShow(claims),
  ]);
  // The link lives until a day after the show as it is now, not as it was when the link was mailed:
  // a postponed show's link keeps working until after the new date, one brought forward expires sooner.
  notExpired(stored?.show ? advanceLinkExpiry(stored.show) : claims.expiresAt, deps.now());
  // Scoped to one promoter: a link mailed to a promoter since replaced opens nothing.
  if (stored?.show && stored.promoterId !== claims.promoterId) return { key, claims, replaced: true };
  // A cancelled show takes no answers: its page says so. So does a show known only by its cancellation,
  // which came before the show itself (a tombstone, with no show): it is cancelled too.
  if (stored && (!stored.show || stored.show.status === 'cancelled'))
    return { key, claims, cancelled: { show: stored.show } };
  if (!tour || !stored?.show) return { key, claims };
  return { key, claims, tour, stored: stored as StoredShow & { show: Show } };
}

/**
 * GET /a/{token}: the form, prefilled with the show and any earlier answers; read-only after the lock.
 * With `saved` (where a submission is redirected), the answers as saved and a word of thanks.
 */
export async function openAdvancePage(
  token: string,
  deps: PagesDeps,
  saved?: 'submitted' | 'amended',
): Promise<HttpResult> {
  try {
    const { key, tour, stored, replaced, cancelled } = await advanceContext(token, deps);
    if (replaced) return linkReplaced();
    if (cancelled) return showCancelled(cancelled.show);
    if (!tour || !stored) return showGone();
    const lockAt = advanceLockAt(stored.show);
    if (deps.now().toISOString() >= lockAt)
      return html(200, advanceReadOnlyPage({ tour, show: stored.show, answers: stored.advance?.answers }));
    if (saved && stored.advance) {
      const { answers } = stored.advance;
      return html(200, advanceSavedPage({ tour, show: stored.show, answers, amended: saved === 'amended' }));
    }
    return html(
      200,
      advanceFormPage({
        tour,
        show: stored.show,
        values: formValuesOf(stored.advance?.answers),
        errors: {},
        csrf: csrfTokenFor(key, token),
        submittedAt: stored.advance?.submittedAt,
        lockAt,
        version: showFactsHash(stored.show),
        advanced: advancedAt(stored) ?? '',
      }),
    );
  } catch (error) {
    const page = invalid(error);
    if (page) return page;
    throw error;
  }
}

/**
 * POST /a/{token}: records the advance (or amends it) with its Show Advanced event, which stops the
 * reminders. Refused with a readable page after the lock, without the link's CSRF token, or with
 * the fields that need an answer marked. Answers the page, and whether the advance was submitted
 * (its first time) or amended.
 */
export const submitAdvancePage = (token: string, body: string | Uint8Array, deps: PagesDeps) =>
  // Read once: the post's fields serve its answer, its post again when the show changed under it and,
  // refused or busy, the page listing what it sent.
  submitAdvanceForm(token, formFields(body), deps);

async function submitAdvanceForm(
  token: string,
  form: ReturnType<typeof formFields>,
  deps: PagesDeps,
): Promise<{ page: HttpResult; saved?: 'submitted' | 'amended' }> {
  const page = (result: HttpResult) => ({ page: result });
  const { fields, issues } = form;
  try {
    const { key, claims, tour, stored, replaced, cancelled } = await advanceContext(token, deps);
    const fromForm = sameCsrfToken(key, token, fields.csrf ?? '');
    // Given to another promoter while the form was filled in: what it sent is listed, not saved, for the
    // promoter to keep (a post not from this link's form is shown nothing of itself).
    if (replaced) return page(linkReplaced(fromForm ? fields : undefined));
    if (cancelled) return page(showCancelled(cancelled.show, fromForm ? fields : undefined));
    if (!tour || !stored) return page(showGone());
    // What it sent is listed, not saved, for the promoter to keep: the page runs nothing and escapes it.
    if (!fromForm) return page(html(403, formExpiredPage(fields)));
    const now = deps.now().toISOString();
    const lockAt = advanceLockAt(stored.show);
    // Read-only from show day 00:00: what the post sent is listed as not saved, not lost with it.
    if (now >= lockAt)
      return page(
        html(
          409,
          advanceReadOnlyPage({ tour, show: stored.show, answers: stored.advance?.answers, sent: fields }),
        ),
      );
    // The saves this form sent that DynamoDB was too busy to confirm (a 503's, whose write may have landed
    // all the same): their instants, which the form that 503 gave back posts back (`pending`). An advance
    // saved at one of them is this form's own, its answers the window's earlier ones, not another window's
    // (docs/design.md#signed-pages).
    const pending = (fields.pending ?? '').split(' ').filter(Boolean);
    const ownSave = (saved: string | undefined) => saved !== undefined && pending.includes(saved);
    const formAgain = (status: number, errors: FieldErrors, changed?: boolean, savedSince?: AdvanceAnswers) =>
      page(
        html(
          status,
          advanceFormPage({
            busy: status === 503,
            tour,
            show: stored.show,
            values: fields,
            errors,
            csrf: csrfTokenFor(key, token),
            submittedAt: stored.advance?.submittedAt,
            lockAt,
            version: showFactsHash(stored.show),
            changed,
            // The advance the form showed, as it posted it: a form opened before a save from another tab
            // stays so through a refused answer or a changed show; only the page listing the answers saved
            // since names that save, so that submitted again it replaces them.
            advanced: (savedSince ? undefined : fields.advanced) ?? advancedAt(stored) ?? '',
            savedSince,
            pending: (status === 503 ? [...pending, now] : pending).join(' '),
          }),
        ),
      );
    // The form posts back the show it stated (its date, times and venue): filled in while the show was
    // otherwise (the label moved it meanwhile), answers written for another venue's load-in or another
    // day's crew call are not taken unseen. The promoter sees the show as it is now, with their answers,
    // and submits again; nothing is saved. A post naming no show is taken (docs/design.md#signed-pages).
    const filledFor = (show: Show) => fields.show === undefined || fields.show === showFactsHash(show);
    if (!filledFor(stored.show)) return formAgain(409, {}, true);
    const parsed = AdvanceForm.safeParse({ ...blankForm, ...fields });
    if (!parsed.success || issues.length > 0) {
      // An unreadable answer is marked as such, not as left blank.
      return formAgain(
        400,
        Object.fromEntries(
          [...fieldIssues(parsed.error), ...issues].map((issue) => [issue.path, issue.message]),
        ),
      );
    }
    const { dayContactName, dayContactPhone, ...rest } = parsed.data;
    const answers: AdvanceAnswers = { ...rest, dayContact: { name: dayContactName, phone: dayContactPhone } };
    // The answers the advance holds are that advance itself, whichever form sent them (a double click, both
    // tabs alike, a resubmit after going back, the form sent back unchanged): taken as it was, nothing
    // written again, no Show Advanced. The form posts back the advance it showed too (when it was saved
    // last, '' for none): other answers filled in while the advance was saved from another tab, or by
    // someone else with the link, do not replace those unseen; they get the form again, the answers saved
    // since above theirs; submitted again, they replace them. A post naming no advance is taken
    // (docs/design.md#signed-pages).
    const answeredFor = (read: StoredShow) =>
      !read.advance ||
      fields.advanced === undefined ||
      fields.advanced === advancedAt(read) ||
      ownSave(advancedAt(read));
    // The advance first submitted by a save of this form that a 503 answered: this post is the first to
    // tell the window it was taken, so it is thanked as the submission, whatever it saves on top of it
    // (counted once by that save's Show Advanced, AdvancesSubmitted).
    const firstOwn = ownSave(stored.advance?.submittedAt);
    if (stored.advance) {
      const saved = stored.advance;
      if (sameAnswers(saved.answers, answers))
        return firstOwn
          ? { page: seeOther(`${token}?saved=submitted`), saved: 'submitted' }
          : page(seeOther(`${token}?saved=${saved.amendedAt ? 'amended' : 'submitted'}`));
      if (!answeredFor(stored)) return formAgain(409, {}, false, saved.answers);
    }
    const saving = deps.tours.saveAdvance(
      claims,
      answers,
      now,
      (kind, read) => [
        outboxEntry(
          ShowAdvanced,
          {
            labelId: claims.labelId,
            tourId: claims.tourId,
            showId: claims.showId,
            promoterId: claims.promoterId,
            submittedAt: now,
            // False for the first submission, which this write decides (it found no advance stored): the
            // publisher counts that event once (AdvancesSubmitted), where this post's answer may be lost or a
            // 503 (docs/design.md#observability).
            amended: kind === 'amended',
          },
          { labelId: claims.labelId },
        ),
        // The tour manager and crew have this day's sheet: they get it again with the answers as given
        // now (its update, at once), as they do after a change of the show's times or venue; an
        // amendment that changes no answer tells them nothing new.
        ...(daySheetWent(read) && !(read.advance && sameAnswers(read.advance.answers, answers))
          ? [
              outboxEntry(
                ShowStepDue,
                { ...showRefOf(claims), step: 'day-sheet-update', scheduledFor: now },
                { labelId: claims.labelId, source: 'backline.tours' },
              ),
            ]
          : []),
      ],
      (read) => filledFor(read.show) && answeredFor(read),
    );
    // DynamoDB busy for the write (throttled, failing on its side, conflicts past their retries): the form
    // again with the answers typed, to submit again in a moment. A write that landed with its answer lost is
    // found by that post (the same answers are the advance they saved: a 303 to it).
    const outcome = await saving.catch((error: unknown) => {
      if (isBusyError(error)) return 'busy' as const;
      throw error;
    });
    if (outcome === 'busy') return formAgain(503, {});
    if (outcome === 'unknown') return page(showGone());
    // Given to another promoter since this post read the show: the answers are not taken for the new one's.
    if (outcome === 'replaced') return page(linkReplaced(fields));
    // Cancelled since this post read the show: a cancelled show takes no answers.
    if (outcome === 'cancelled') return page(showCancelled(stored.show, fields));
    // Moved, or its advance saved again, since this post read the show: posted again, it reads the show
    // as it is now, and the form comes back stating it (or the post is found to be that save).
    if (outcome === 'changed') return submitAdvanceForm(token, form, deps);
    // To this page again with a GET: reloading it records nothing a second time.
    const told = firstOwn ? 'submitted' : outcome;
    return { page: seeOther(`${token}?saved=${told}`), saved: told };
  } catch (error) {
    const refusal = await postRefused(error, token, fields, deps);
    if (refusal) return page(refusal);
    // DynamoDB busy before the show was read: nothing was saved, and what the post sent is listed.
    if (isBusyError(error)) return page(html(503, busyPostPage(fields)));
    throw error;
  }
}

type PageMessage = { kind: 'note' | 'error'; text: string };

async function tourManagerContext(token: string, deps: PagesDeps) {
  const key = await deps.signingKey();
  const claims = openTourManagerToken(key, token);
  const { tour, shows: stored } = await deps.tours.tourWithShows(claims.labelId, claims.tourId);
  const shows = stored.filter((s): s is StoredShow & { show: Show } => Boolean(s.show));
  // As the advance link: a day after the tour's last show as it is now, not as it was when the link
  // was mailed (postponed shows keep it open, shows brought forward end it sooner).
  notExpired(
    tourManagerLinkExpiry(
      shows.map((s) => s.show),
      claims.expiresAt,
    ),
    deps.now(),
  );
  return { key, claims, tour, shows };
}

/**
 * Shows a page of the tour manager's page holds, each with its whole guest list: a tour takes any
 * number of shows (a booking up to 200, and `tour.show.added` more), and one show's list on the page
 * is at most about 0.6 MB, so the page is paged by show and none passes 3 MiB, half of what
 * Lambda answers (docs/design.md#signed-pages).
 */
export const showsPerTourPage = 5;

/** The page holding the show at index `at` of the tour's shows when there is one (0 up), else page `asked` (from 1; the nearest one that exists). */
function tourPageSpan(total: number, at: number, asked: string | undefined): TourPageSpan {
  const pages = Math.max(1, Math.ceil(total / showsPerTourPage));
  const page =
    at >= 0
      ? Math.floor(at / showsPerTourPage) + 1
      : Math.min(pages, Math.max(1, /^\d{1,6}$/.test(asked ?? '') ? Number(asked) : 1));
  const first = (page - 1) * showsPerTourPage;
  return { page, pages, first: first + 1, last: Math.min(total, first + showsPerTourPage), total };
}

/**
 * GET /tm/{token}: the tour's shows with their guest lists, and a form per show still open, a page of
 * `showsPerTourPage` shows at a time (`page`, from 1). After a guest was added (`added`: the show), the
 * page holding that show, with a word saying so; after a refused post, the page holding its show (`showId`).
 * With `advance` (a show), that show's advance as the promoter gave it; a show with none, or cancelled, is
 * a 404 of the page holding it, saying so.
 */
export async function openTourManagerPage(
  token: string,
  deps: PagesDeps,
  {
    message,
    status = 200,
    added,
    page,
    showId,
    advance,
    refused,
  }: {
    message?: PageMessage;
    status?: number;
    added?: string;
    page?: string;
    showId?: string;
    advance?: string;
    refused?: GuestRefused;
  } = {},
): Promise<HttpResult> {
  try {
    const { key, tour, shows } = await tourManagerContext(token, deps);
    if (!tour) return html(404, tourLinkInvalidPage('this tour is not known', true));
    if (advance !== undefined) {
      const asked = shows.find((s) => s.showId === advance);
      if (asked?.advance && asked.show.status !== 'cancelled') {
        const lockAt = advanceLockAt(asked.show);
        const locked = deps.now().toISOString() >= lockAt;
        return html(
          200,
          tourManagerAdvancePage({ tour, show: asked.show, advance: asked.advance, lockAt, locked }),
        );
      }
      return openTourManagerPage(token, deps, {
        message: {
          kind: 'error',
          text:
            asked?.show.status === 'cancelled'
              ? 'That show is cancelled.'
              : 'That show has no advance from its promoter yet.',
        },
        status: 404,
        showId: asked?.showId,
      });
    }
    const addedTo = shows.find((s) => s.showId === added);
    const note = addedTo && {
      kind: 'note' as const,
      text: `Added to the guest list for ${addedTo.show.date}.`,
    };
    const span = tourPageSpan(
      shows.length,
      shows.findIndex((s) => s.showId === (showId ?? added)),
      page,
    );
    return html(
      status,
      tourManagerPage({
        tour,
        shows: shows.slice(span.first - 1, span.last),
        span,
        csrf: csrfTokenFor(key, token),
        now: deps.now().toISOString(),
        message: message ?? note,
        refused,
      }),
    );
  } catch (error) {
    const page = invalid(error, true);
    if (page) return page;
    throw error;
  }
}

/**
 * POST /tm/{token}: adds a guest to one show of the tour, unless its list is closed. Refused, the page again
 * keeps the guest as typed in its show's form, or lists it as not saved (docs/design.md#signed-pages).
 */
export async function addGuestFromPage(
  token: string,
  body: string | Uint8Array,
  deps: PagesDeps,
): Promise<HttpResult> {
  // Read once: the post's fields serve its answer and, refused or busy, the page listing what it sent.
  const { fields, issues } = formFields(body);
  try {
    const { key, claims, tour, shows } = await tourManagerContext(token, deps);
    if (!tour) return html(404, tourLinkInvalidPage('this tour is not known', true));
    if (!sameCsrfToken(key, token, fields.csrf ?? ''))
      return html(403, formExpiredPage(fields, guestFieldLabels));
    const stored = shows.find((s) => s.showId === fields.showId);
    if (!stored)
      return openTourManagerPage(token, deps, {
        message: { kind: 'error', text: 'That show is not on this tour.' },
        status: 400,
      });
    // A post without a name (not the form's, which sends one) is told so as a blank one is.
    const parsed = GuestInput.safeParse({ name: '', ...fields });
    if (!parsed.success || issues.length > 0) {
      const [issue] = [...issues, ...fieldIssues(parsed.error)];
      const text = `${guestFieldLabels[issue.path] ?? issue.path}: ${issue.message}.`;
      return openTourManagerPage(token, deps, {
        message: { kind: 'error', text },
        status: 400,
        showId: stored.showId,
        refused: { showId: stored.showId, field: issue.path, text, values: fields },
      });
    }
    // DynamoDB busy for the write (isBusyError): the page again, the guest as typed, to submit again in a
    // moment (one added with its answer lost is on the list shown, and sent again is "Not added": listed).
    const outcome = await deps.tours
      .addGuests({ labelId: claims.labelId, tourId: claims.tourId, showId: stored.showId }, [
        { ...parsed.data, addedAt: deps.now().toISOString() },
      ])
      .catch((error: unknown) => {
        if (isBusyError(error)) return 'busy' as const;
        throw error;
      });
    if (outcome !== 'added') {
      const busy = outcome === 'busy';
      return openTourManagerPage(token, deps, {
        message: {
          kind: 'error',
          text: busy
            ? 'Backline was too busy to add the guest just now, or to confirm it was added. The guest is in the form below: please submit it again in a moment.'
            : `Not added: ${guestRefusals[outcome]}.`,
        },
        status: busy ? 503 : 409,
        showId: stored.showId,
        refused: { showId: stored.showId, values: fields },
      });
    }
    // To this page again with a GET: reloading it adds nobody a second time.
    return seeOther(`${token}?added=${encodeURIComponent(stored.showId)}`);
  } catch (error) {
    const page = await postRefused(error, token, fields, deps, true);
    if (page) return page;
    // DynamoDB busy before the page could be made again: nothing was added, and the guest sent is listed.
    if (isBusyError(error)) return html(503, busyPostPage(fields, guestFieldLabels));
    throw error;
  }
}
