import { type DocumentedRoute, type RouteDoc, writeConflictPage } from '#shared/http/docs.ts';
import { type HttpEvent, rawBody } from '#shared/http/index.ts';
import * as z from '#shared/zod.ts';
import {
  addGuestFromPage,
  openAdvancePage,
  openTourManagerPage,
  type PagesDeps,
  showsPerTourPage,
  submitAdvancePage,
} from './tour-links.ts';

const token = (event: HttpEvent) => event.pathParameters?.token ?? '';
/** Where a taken advance is redirected: `?saved=submitted|amended`. */
const savedOf = (event: HttpEvent) => {
  const saved = event.queryStringParameters?.saved;
  return saved === 'submitted' || saved === 'amended' ? saved : undefined;
};

const expired = 'an expired link: a page saying so';
/** An advance link also ends when its show is given to another promoter, or cancelled (or known only by its cancellation). */
const advanceGone =
  'an expired link, one whose show was since given to another promoter (no longer valid for this show), or one whose show is cancelled (or known only by its cancellation, which came before it): a page saying so';
/** A signed page DynamoDB was too busy to answer (`isBusyError`): the handler's page saying to try again. */
export const busyPageDoc = {
  ...writeConflictPage,
  description:
    'DynamoDB was busy (throttled, failing on its side, or a write kept meeting concurrent writes): a page saying to try again in a moment; send it again after Retry-After',
};
const page = (summary: string, gone = expired): RouteDoc => ({
  summary,
  responses: {
    200: { description: 'the page (HTML)', mediaType: 'text/html' },
    404: { description: 'a forged or damaged link: a page saying so', mediaType: 'text/html' },
    410: { description: gone, mediaType: 'text/html' },
    503: busyPageDoc,
  },
});
const formPost = (summary: string, refused: string, gone = expired, fields = ''): RouteDoc => {
  const { 200: _page, ...refusals } = page(summary, gone).responses;
  return {
    summary,
    responses: {
      303: {
        description: 'taken: to the page again (Post/Redirect/Get), so a reload sends nothing twice',
        headers: { Location: { description: 'the page again, saying what was taken', type: 'string' } },
      },
      400: { description: 'a field to correct: the page again, the field marked', mediaType: 'text/html' },
      403: {
        description: 'the CSRF token is missing or not this link’s: a page saying so',
        mediaType: 'text/html',
      },
      ...refusals,
      409: { description: refused, mediaType: 'text/html' },
    },
    body: {
      mediaType: 'application/x-www-form-urlencoded',
      description: `the page's form, with the CSRF token bound to the link${fields}`,
    },
  };
};

const tourManagerPageDoc = page(
  "The tour manager's page for one tour: shows, advance status, guest lists, and each show's advance as its promoter gave it",
);
/** The advance's post: refused as a whole, it lists what it sent as not saved, or gives the form again with it. */
const advancePostDoc = formPost(
  'Submits or amends the advance',
  'show day has begun: the advance, read-only, listing what the post sent as not saved; or the label changed the show (its date, times or venue) since the form was opened: the form again, stating the show as it is now, with the answers given; or the advance was saved again since the form was opened (another tab, someone else with the link) with other answers: the form again, the answers saved then above those given',
  `${advanceGone}; a post from the link's form, its link expired, its show given to another promoter or cancelled, listing what it sent as not saved`,
  ' and `show`, which names the show as the form stated it (its date, times and venue): a post naming another is the 409; and `advanced`, the advance as the form showed it (when it was saved last, empty for none): a post naming an earlier one is the 409, or, with the answers saved since, taken as that save; and `pending`, on the form a 503 gave back, the instants of its saves the 503 left unconfirmed: an advance saved at one of them is the form’s own, not the 409',
);
advancePostDoc.responses[403] = {
  description:
    'the CSRF token is missing or not this link’s: a page saying so, listing what the post sent as not saved',
  mediaType: 'text/html',
};
advancePostDoc.responses[503] = {
  ...writeConflictPage,
  description:
    'DynamoDB was busy (throttled, failing on its side, or the write kept meeting concurrent writes): the form again with the answers given, saying to submit it again, or, when the show could not be read, a page listing what the post sent as not saved; send it again after Retry-After (the same answers saved already are that advance: the 303)',
};

/** The guest form's post: refused, the guest as typed stays in its show's form, or is listed as not saved. */
const guestPostDoc = formPost(
  "Adds a name to a show's guest list until its cutoff",
  "not added (the list is closed or full, the show is cancelled, the name is listed already ...): the page saying why, the guest as typed in its show's form, or, the form gone (the list closed, the show cancelled), listed as not saved",
  `${expired}; a post from the page's form, its link expired, listing the guest it sent as not saved`,
);
guestPostDoc.responses[403] = advancePostDoc.responses[403];
guestPostDoc.responses[503] = {
  ...busyPageDoc,
  description:
    "DynamoDB was busy (throttled, failing on its side, or the write kept meeting concurrent writes): the page again with the guest as typed in its show's form, saying to submit it again, or, when the tour could not be read, a page listing what the post sent as not saved; send it again after Retry-After (a guest added with its answer lost is then listed already: the 409)",
};

tourManagerPageDoc.responses[404] = {
  description:
    'a forged or damaged link, or a show asked for (`advance`) with no advance or cancelled: a page saying so',
  mediaType: 'text/html',
};

/** The pages behind signed links (topology auth `public`): the promoter's advance form and the tour manager's page. */
export const tourPageRoutes = (deps: PagesDeps): DocumentedRoute[] => [
  {
    method: 'GET',
    path: '/a/{token}',
    handler: (event: HttpEvent) => openAdvancePage(token(event), deps, savedOf(event)),
    doc: page(
      "The promoter's advance form for one show, prefilled (read-only after show day 00:00)",
      advanceGone,
    ),
  },
  {
    method: 'POST',
    path: '/a/{token}',
    handler: async (event: HttpEvent) => (await submitAdvancePage(token(event), rawBody(event), deps)).page,
    doc: advancePostDoc,
  },
  {
    method: 'GET',
    path: '/tm/{token}',
    handler: (event: HttpEvent) =>
      openTourManagerPage(token(event), deps, {
        added: event.queryStringParameters?.added,
        page: event.queryStringParameters?.page,
        advance: event.queryStringParameters?.advance,
      }),
    doc: {
      ...tourManagerPageDoc,
      description: `${showsPerTourPage} shows a page, each with its whole guest list; a show's advance on a page of its own`,
      query: z.object({
        page: z.optional(
          z
            .string()
            .check(z.describe('the page of shows, from 1 (a page that does not exist: the nearest one)')),
        ),
        added: z.optional(
          z.string().check(z.describe('the show a guest was just added to: the page holding it, saying so')),
        ),
        advance: z.optional(
          z
            .string()
            .check(
              z.describe(
                'a show whose advance to read, as its promoter gave it (a show with none, or cancelled: a 404 of the page holding it, saying so)',
              ),
            ),
        ),
      }),
    },
  },
  {
    method: 'POST',
    path: '/tm/{token}',
    handler: (event: HttpEvent) => addGuestFromPage(token(event), rawBody(event), deps),
    doc: guestPostDoc,
  },
];
