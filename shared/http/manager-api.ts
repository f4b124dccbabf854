import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { Context } from 'aws-lambda';
import type { LabelExistence } from '../db/labels.ts';
import { observability } from '../lambda/observability.ts';
import * as z from '../zod.ts';
import { type DocumentedRoute, failure } from './docs.ts';
import { type HttpError, notFound } from './errors.ts';
import { noBodyOf, queryOf } from './input.ts';
import { httpErrors, pathIdLimits, requireApiKey } from './middleware.ts';
import type { HttpEvent, HttpResult } from './responses.ts';

/**
 * The manager's API, which two functions serve (management, office: see docs/design.md#bundles). One
 * route of it, as each route module (labels, outlets, releases, budgets, tours) lists them, with its API document entry.
 */
export type ManagementRoute = DocumentedRoute;

/** What a route that states no query parameters takes of them: none. */
const NoQuery = z.strictObject({});

/**
 * A route takes only the input its document states (docs/design.md#routes-and-auth): one that states
 * no query parameters or no body refuses any with a 400 naming it, as a stated one refuses a field it
 * does not have, rather than answering as if it had not been sent. No body, an empty one, `{}` or `null` is none.
 */
const takingOnlyItsInput = (route: ManagementRoute): ManagementRoute => ({
  ...route,
  handler: (event: HttpEvent, context: Context) => {
    if (!route.doc.query) queryOf(NoQuery, event);
    if (!route.doc.body) noBodyOf(event);
    return (route.handler as (event: HttpEvent, context: Context) => Promise<HttpResult>)(event, context);
  },
});

/**
 * A function of the manager's API (management, office): every route needs the bearer key (topology
 * auth `apiKey`). The API is served by more than one function so that each bundles only its own
 * areas' code (see docs/design.md#bundles).
 */
export const managementApi = (service: string, apiKey: () => Promise<string>, routes: ManagementRoute[]) =>
  middy<HttpEvent, HttpResult>()
    .use(observability(service))
    .use(httpErrors())
    .use(requireApiKey(apiKey))
    .use(pathIdLimits())
    .handler(httpRouterHandler<HttpEvent, HttpResult>(routes.map(takingOnlyItsInput)));

/**
 * A route under `/labels/{labelId}` that finds nothing asks whether the label exists, so a mistyped
 * label id is a 404 `label not found`, not an empty list or another item's 404. It asks only then: what
 * is read under a label was written from the label's webhooks, which intake takes only for a label that
 * exists, and a label is never removed, so a route that finds something costs no read more (see
 * docs/design.md#routes-and-auth).
 */
export async function requireLabel(labels: LabelExistence, labelId: string): Promise<void> {
  if (!(await labels.exists(labelId))) throw notFound('label');
}

/** The 404 of an item (`what`) a route did not find under a label: `label not found` when the label is not there either. */
export async function notFoundUnder(
  labels: LabelExistence,
  labelId: string,
  what: string,
): Promise<HttpError> {
  await requireLabel(labels, labelId);
  return notFound(what);
}

/** The 404 of a route whose only missing thing can be the label (a list). */
export const noLabel = failure('no such label');

/** The 404 of a route that reads an item of the label: the label first, then the item (`what`). */
export const noLabelOr = (what: string) => failure(`no such label, or no such ${what} of the label`);
