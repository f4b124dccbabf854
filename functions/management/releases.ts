import { toCsv } from '#shared/csv.ts';
import type { Delivery, DeliveryStatus } from '#shared/db/deliveries.ts';
import type { DeliveryPage } from '#shared/db/delivery-pages.ts';
import type { LabelExistence } from '#shared/db/labels.ts';
import type { PromoAccess } from '#shared/db/promo.ts';
import { wentOut } from '#shared/db/subject-deliveries.ts';
import { MailKind } from '#shared/events/mailing-requested.ts';
import {
  csvOrJsonAccept,
  csvPage,
  cursorChecked,
  failure,
  type HttpEvent,
  type HttpResult,
  header,
  json,
  pageLimit,
  prefersCsv,
  queryOf,
} from '#shared/http/index.ts';
import { type ManagementRoute, noLabelOr, notFoundUnder } from '#shared/http/manager-api.ts';
import type { StoredRelease } from '#shared/releases.ts';
import * as z from '#shared/zod.ts';

/** Release views: `/labels/{labelId}/releases/{releaseId}` and its deliveries (management API, bearer key). */

export interface ReleaseRoutesDeps {
  getRelease(labelId: string, releaseId: string): Promise<StoredRelease | undefined>;
  /** Every delivery of the release (to count them). */
  deliveries(labelId: string, releaseId: string): Promise<Delivery[]>;
  /** A page of them (to list them); InvalidCursorError for a cursor it did not make. */
  deliveriesPage(
    labelId: string,
    releaseId: string,
    page: { limit: number; cursor?: string },
  ): Promise<DeliveryPage>;
  promoAccesses(labelId: string, releaseId: string): Promise<Map<string, PromoAccess>>;
  /** Asked only when a release is not found: is it the label that is not there? */
  labels: LabelExistence;
}

const statuses: DeliveryStatus[] = ['claimed', 'sent', 'failed', 'bounced', 'complained', 'rejected'];

export type MailCounts = Record<MailKind, Record<DeliveryStatus, number> & { resent: number }>;

/**
 * The status a view shows: a mail closed unsent (failed) whose late Email Sent showed it went is shown
 * sent, as it reached its recipient (wentOut, docs/design.md#exactly-once-mail).
 */
const shownStatus = (delivery: Delivery): DeliveryStatus =>
  delivery.status === 'failed' && wentOut(delivery) ? 'sent' : delivery.status;

export function countMail(deliveries: Delivery[]): MailCounts {
  const counts = Object.fromEntries(
    MailKind.options.map((kind) => [kind, { ...Object.fromEntries(statuses.map((s) => [s, 0])), resent: 0 }]),
  ) as MailCounts;
  for (const delivery of deliveries) {
    const forKind = counts[delivery.kind as MailKind];
    forKind[shownStatus(delivery)]++;
    if (delivery.resends) forKind.resent++;
  }
  return counts;
}

export function deliveryRows(deliveries: Delivery[], accesses: Map<string, PromoAccess>) {
  return deliveries
    .map((delivery) => ({ delivery, access: accesses.get(delivery.context.outletId ?? '') }))
    .map(({ delivery, access }) => ({
      outletId: delivery.context.outletId ?? '',
      email: delivery.email,
      kind: delivery.kind,
      ...(delivery.revision ? { revision: delivery.revision } : {}),
      status: shownStatus(delivery),
      messageId: delivery.messageId ?? null,
      at: delivery.sentAt ?? delivery.updatedAt,
      claimedAt: delivery.claimedAt,
      ...(delivery.resends ? { resends: delivery.resends } : {}),
      ...(delivery.failure && shownStatus(delivery) === 'failed' ? { failure: delivery.failure } : {}),
      // Each outlet's links are its own: who opened them, and when first and last, traces a leak.
      promoAccesses: access?.count ?? 0,
      ...(access?.firstAccessAt ? { promoFirstAccessAt: access.firstAccessAt } : {}),
      ...(access?.lastAccessAt ? { promoLastAccessAt: access.lastAccessAt } : {}),
    }))
    .sort(
      (a, b) =>
        a.outletId.localeCompare(b.outletId) ||
        a.kind.localeCompare(b.kind) ||
        a.claimedAt.localeCompare(b.claimedAt),
    );
}

/** The columns of the deliveries as CSV (`Accept: text/csv`), for a spreadsheet: `toCsv` neutralises every cell against formulas. */
const deliveryColumns = [
  'outletId',
  'email',
  'kind',
  'revision',
  'status',
  'messageId',
  'at',
  'claimedAt',
  'resends',
  'failure',
  'promoAccesses',
  'promoFirstAccessAt',
  'promoLastAccessAt',
] as const;

const counts = z.lazy(() =>
  z.object(Object.fromEntries([...statuses, 'resent'].map((status) => [status, z.int()]))),
);

const ReleaseView = z.lazy(() =>
  z.object({
    labelId: z.string(),
    releaseId: z.string(),
    state: z.string(),
    release: z
      .nullable(z.record(z.string(), z.unknown()))
      .check(z.describe('the release as the label last sent it')),
    changedAt: z.string(),
    outAt: z.optional(z.string()),
    cancellationReason: z.optional(z.string()),
    previousReleaseMoment: z.optional(z.record(z.string(), z.unknown())),
    mail: z.object(Object.fromEntries(MailKind.options.map((kind) => [kind, counts]))),
  }),
);

const DeliveryRow = z.lazy(() =>
  z.object({
    outletId: z.string(),
    email: z.string(),
    kind: MailKind,
    revision: z.optional(z.string()),
    status: z.enum(statuses as [DeliveryStatus, ...DeliveryStatus[]]),
    messageId: z.nullable(z.string()),
    at: z.string(),
    claimedAt: z.string(),
    resends: z.optional(z.int()),
    failure: z.optional(z.string()),
    promoAccesses: z.int(),
    promoFirstAccessAt: z.optional(z.string()),
    promoLastAccessAt: z.optional(z.string()),
  }),
);

const noRelease = noLabelOr('release');

/** A page of at most `limit` rows (default 1,000, about 320 KB), well within a response's 6 MB. */
const DeliveriesQuery = z.strictObject({
  limit: pageLimit(1000, 1000),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
});

const idsOf = (event: HttpEvent) => ({
  labelId: event.pathParameters?.labelId ?? '',
  releaseId: event.pathParameters?.releaseId ?? '',
});

async function requireRelease(event: HttpEvent, deps: ReleaseRoutesDeps): Promise<StoredRelease> {
  const { labelId, releaseId } = idsOf(event);
  const release = await deps.getRelease(labelId, releaseId);
  if (release) return release;
  throw await notFoundUnder(deps.labels, labelId, 'release');
}

export const releaseRoutes = (deps: ReleaseRoutesDeps): ManagementRoute[] => [
  {
    method: 'GET',
    path: '/labels/{labelId}/releases/{releaseId}',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const release = await requireRelease(event, deps);
      const deliveries = await deps.deliveries(release.labelId, release.releaseId);
      return json(200, {
        labelId: release.labelId,
        releaseId: release.releaseId,
        state: release.state,
        release: release.details ?? null,
        changedAt: release.occurredAt,
        ...(release.outAt ? { outAt: release.outAt } : {}),
        ...(release.cancellationReason ? { cancellationReason: release.cancellationReason } : {}),
        ...(release.previousMoment ? { previousReleaseMoment: release.previousMoment } : {}),
        mail: countMail(deliveries),
      });
    },
    doc: {
      summary: 'A release, its state and its mail counts per kind and status',
      responses: { 200: { description: 'the release', schema: ReleaseView }, 404: noRelease },
    },
  },
  {
    method: 'GET',
    path: '/labels/{labelId}/releases/{releaseId}/deliveries',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const query = queryOf(DeliveriesQuery, event);
      const release = await requireRelease(event, deps);
      const [page, accesses] = await Promise.all([
        cursorChecked(deps.deliveriesPage(release.labelId, release.releaseId, query)),
        deps.promoAccesses(release.labelId, release.releaseId),
      ]);
      const rows = deliveryRows(page.deliveries, accesses);
      const next = page.nextCursor;
      if (!prefersCsv(header(event, 'accept')))
        return json(200, { deliveries: rows, ...(next ? { nextCursor: next } : {}) });
      return csvPage(
        'deliveries.csv',
        toCsv(deliveryColumns, rows as Partial<Record<(typeof deliveryColumns)[number], string | number>>[]),
        next ? { path: event.rawPath, query: { limit: String(query.limit), cursor: next } } : undefined,
      );
    },
    doc: {
      summary: "A release's mail: one row per address and kind, a page at a time",
      description:
        'At most `limit` rows a page (1,000 by default); follow `nextCursor` (JSON) or the `Link: <...>; rel="next"` header (CSV) for the next. As CSV with `Accept: text/csv` (cells starting with =, +, -, @, tab or CR get a leading \', and so does such a character after a ;, so a spreadsheet shows them as text, whichever separator it splits at).',
      headers: { accept: csvOrJsonAccept },
      query: DeliveriesQuery,
      responses: {
        200: {
          description: 'a page of the deliveries',
          schema: z.lazy(() =>
            z.object({ deliveries: z.array(DeliveryRow), nextCursor: z.optional(z.string()) }),
          ),
        },
        400: failure('a query parameter is invalid'),
        404: noRelease,
      },
    },
  },
];
