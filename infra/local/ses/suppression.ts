import * as z from '#shared/zod.ts';
import { JsonLines } from '../jsonl.ts';
import { badRequest, notFound, parseRequest, type Route } from './http.ts';

/**
 * The account-level suppression list. SES accepts mail to a suppressed address (it counts
 * as a send) but does not deliver it: it answers with a bounce of sub-type
 * `OnAccountSuppressionList`. SES keeps the list until an address is taken off it, so with a data
 * folder each change is written (synced) before it is answered, and a `kill -9` loses none
 * (docs/design.md#failures-and-retries).
 */

type Reason = 'BOUNCE' | 'COMPLAINT';

interface SuppressedDestination {
  EmailAddress: string;
  Reason: Reason;
  LastUpdateTime: Date;
}

const PutSuppressedDestinationRequest = z.object({
  EmailAddress: z.string().check(z.minLength(1)),
  Reason: z.enum(['BOUNCE', 'COMPLAINT']),
});

const MAX_PAGE_SIZE = 1000;

type Change =
  | { op: 'put'; EmailAddress: string; Reason: Reason; at: number }
  | { op: 'delete'; EmailAddress: string };

export class SuppressionList {
  readonly #entries = new Map<string, SuppressedDestination>();
  readonly #file: JsonLines<Change> | undefined;

  /** `file`: where the list is kept across restarts (in the data folder); none = in memory. */
  constructor(file?: string) {
    this.#file = file ? new JsonLines(file) : undefined;
    if (!this.#file) return;
    for (const change of this.#file.read()) {
      if (change.op === 'put') {
        const { EmailAddress, Reason, at } = change;
        this.#entries.set(EmailAddress.toLowerCase(), { EmailAddress, Reason, LastUpdateTime: new Date(at) });
      } else {
        this.#entries.delete(change.EmailAddress.toLowerCase());
      }
    }
    // Compacted to what the list holds: one line per address.
    this.#file.rewrite(
      [...this.#entries.values()].map((entry) => ({
        op: 'put' as const,
        EmailAddress: entry.EmailAddress,
        Reason: entry.Reason,
        at: entry.LastUpdateTime.getTime(),
      })),
    );
  }

  close(): void {
    this.#file?.close();
  }

  has(address: string): boolean {
    return this.#entries.has(address.toLowerCase());
  }

  routes(): Route[] {
    return [
      { method: 'PUT', path: /^\/v2\/email\/suppression\/addresses$/, handle: ({ body }) => this.#put(body) },
      {
        method: 'GET',
        path: /^\/v2\/email\/suppression\/addresses$/,
        handle: ({ query }) => this.#list(query),
      },
      {
        method: 'GET',
        path: /^\/v2\/email\/suppression\/addresses\/([^/]+)$/,
        handle: ({ params }) => {
          const entry = this.#get(params[0]);
          return { SuppressedDestination: { ...summary(entry), Attributes: {} } };
        },
      },
      {
        method: 'DELETE',
        path: /^\/v2\/email\/suppression\/addresses\/([^/]+)$/,
        handle: ({ params }) => {
          const { EmailAddress } = this.#get(params[0]);
          this.#file?.append([{ op: 'delete', EmailAddress }], { sync: true });
          this.#entries.delete(params[0].toLowerCase());
          return {};
        },
      },
    ];
  }

  #get(address: string): SuppressedDestination {
    const entry = this.#entries.get(address.toLowerCase());
    if (!entry) throw notFound(`Email address ${address} does not exist on your suppression list.`);
    return entry;
  }

  #put(body: unknown) {
    const request = parseRequest(PutSuppressedDestinationRequest, body);
    if (!request.EmailAddress.includes('@'))
      throw badRequest(`Invalid email address: ${request.EmailAddress}`);
    const entry = { EmailAddress: request.EmailAddress, Reason: request.Reason, LastUpdateTime: new Date() };
    this.#file?.append(
      [
        {
          op: 'put',
          EmailAddress: entry.EmailAddress,
          Reason: entry.Reason,
          at: entry.LastUpdateTime.getTime(),
        },
      ],
      { sync: true },
    );
    this.#entries.set(request.EmailAddress.toLowerCase(), entry);
    return {};
  }

  #list(query: URLSearchParams) {
    const reasons = query.getAll('Reason');
    const start = dateParam(query, 'StartDate');
    const end = dateParam(query, 'EndDate');
    const pageSize = Number(query.get('PageSize') ?? String(MAX_PAGE_SIZE));
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw badRequest(`PageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
    }
    const matching = [...this.#entries.values()].filter(
      (entry) =>
        (reasons.length === 0 || reasons.includes(entry.Reason)) &&
        (start === undefined || entry.LastUpdateTime >= start) &&
        (end === undefined || entry.LastUpdateTime <= end),
    );
    const from = query.has('NextToken') ? Number(Buffer.from(query.get('NextToken')!, 'base64url')) : 0;
    if (!Number.isInteger(from) || from < 0) throw badRequest('Invalid NextToken.');
    const next = from + pageSize < matching.length;
    return {
      SuppressedDestinationSummaries: matching.slice(from, from + pageSize).map(summary),
      ...(next ? { NextToken: Buffer.from(String(from + pageSize)).toString('base64url') } : {}),
    };
  }
}

function summary(entry: SuppressedDestination) {
  return {
    EmailAddress: entry.EmailAddress,
    Reason: entry.Reason,
    LastUpdateTime: entry.LastUpdateTime.getTime() / 1000,
  };
}

function dateParam(query: URLSearchParams, name: string): Date | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw badRequest(`${name} is not a valid date.`);
  return date;
}
