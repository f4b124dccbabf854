import { type JobChunk, maxChunkBytes, type RepeatedRow, rowsPerPage } from '#shared/db/jobs.ts';
import type { OutletManagement } from '#shared/db/outlet-changes.ts';
import { DuplicateEmailError } from '#shared/db/outlets.ts';
import { Genre } from '#shared/events/fields.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { OutletsChanged } from '#shared/events/outlets-changed.ts';
import {
  bodyOf,
  charsetOf,
  conflict,
  cursorChecked,
  failure,
  type HttpEvent,
  type HttpResult,
  header,
  JobAccepted,
  jobLocation,
  json,
  mediaTypeOf,
  notFound,
  pageLimit,
  payloadTooLarge,
  queryOf,
  rawBody,
  refuseNonAsciiBytes,
  unsupportedMediaType,
  ValidationError,
  writeConflict,
} from '#shared/http/index.ts';
import type { ManagementRoute } from '#shared/http/manager-api.ts';
import {
  type CsvChunk,
  type CsvSeparator,
  chunkOutletCsv,
  maxRowBytes,
  parseOutletRows,
  readOutletCsv,
} from '#shared/outlet-csv.ts';
import { OutletInput, OutletKind, OutletTerritory } from '#shared/outlet-input.ts';
import { type Outlet, outletMatchesRelease } from '#shared/outlets.ts';
import * as z from '#shared/zod.ts';
import { accepted, type JobRoutesDeps, startJob } from './jobs.ts';

/** The media outlet directory: `/media-outlets` (management API, bearer key). */

export interface OutletRoutesDeps {
  outlets: OutletManagement;
  /** CSV imports run as jobs. */
  jobs: JobRoutesDeps;
  now: () => Date;
  newOutletId: () => string;
}

/**
 * The import's limit, so that every CSV within it reaches the function (docs/design.md#routes-and-auth).
 * The binding limit is Lambda's synchronous event, 6,291,456 bytes (API Gateway's 10 MB is looser),
 * and the CSV travels in it as a JSON string: each `"`, `\`, tab and line break takes two bytes there,
 * a body that is not UTF-8 goes base64 (four bytes for three), and control characters, the only ones
 * escaped longer, are refused (`readOutletCsv`). So a CSV at most doubles: 3,000,000 bytes take at
 * most 6,000,000 in the event, leaving 291,456 for the envelope (headers, at most 10 KB, and the
 * request context).
 */
export const maxImportBytes = 3_000_000;

/** How an import's input is cut into items: one chunk is one page of the job (see shared/db/jobs.ts). */
export const importChunkLimits = { maxRows: rowsPerPage, maxBytes: maxChunkBytes, maxLineBytes: maxRowBytes };

export const ListQuery = z.strictObject({
  // A genre as outlets hold one: a listing asks for none they could not hold.
  genre: z.optional(Genre),
  // Read as an outlet's own territories are: the codes they take, in the same words when refused.
  territory: z.optional(OutletTerritory),
  kind: z.optional(OutletKind),
  limit: pageLimit(100, 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
});

const OutletView = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    kind: OutletKind,
    genres: z.array(z.string()),
    territories: z.array(z.string()),
    contactName: z.optional(z.string()),
    formats: z.optional(
      z.array(z.string()).check(z.describe('radio outlets only: the formats the station programmes')),
    ),
    unsubscribedAt: z.optional(z.string()),
    suppressedAt: z.optional(z.string()),
    suppressionReason: z.optional(z.enum(['bounce', 'complaint'])),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const noOutlet = failure('no such outlet');
const sameEmail = failure('another outlet has this email address');

/** The outlet as the API shows it (no keys, no bookkeeping): every field it answers is in `OutletView`. */
const view = (outlet: Outlet) => outlet;

const outletIdOf = (event: HttpEvent): string => event.pathParameters?.outletId ?? '';

const duplicate = (error: DuplicateEmailError) =>
  conflict(`an outlet with email ${error.email} already exists`);

/**
 * The `Outlets Changed` an outlet created, or edited to reach other releases, leads to, in the same
 * transaction: the announcer tells it of the releases still to come that it now matches (see
 * docs/design.md#exactly-once-mail).
 */
const changedEntry = (now: string) => (outlet: Outlet) =>
  outboxEntry(OutletsChanged, { outletIds: [outlet.id] }, { occurredAt: now });

export async function createOutlet(input: OutletInput, deps: OutletRoutesDeps): Promise<Outlet> {
  const now = deps.now().toISOString();
  try {
    return await deps.outlets.create(input, { id: deps.newOutletId(), now, changed: changedEntry(now) });
  } catch (error) {
    if (error instanceof DuplicateEmailError) throw duplicate(error);
    throw error;
  }
}

export async function replaceOutlet(
  outletId: string,
  input: OutletInput,
  deps: OutletRoutesDeps,
): Promise<Outlet> {
  try {
    const now = deps.now().toISOString();
    const outlet = await deps.outlets.replace(outletId, input, now, changedEntry(now));
    if (!outlet) throw notFound('outlet');
    return outlet;
  } catch (error) {
    if (error instanceof DuplicateEmailError) throw duplicate(error);
    throw error;
  }
}

/**
 * The directory filter reads like the announcer's matching: `genre=techno` lists the outlets a
 * techno release would reach (those naming techno and those with no genres), `territory=GB` those
 * covering GB or WW. Filtering happens as the pages are read, so the cursor stays exact.
 */
export const outletFilter =
  (query: { genre?: string; territory?: string; kind?: string }) =>
  (outlet: Outlet): boolean =>
    (query.kind === undefined || outlet.kind === query.kind) &&
    outletMatchesRelease(outlet, {
      // no genre asked for: any genre the outlet covers will do
      genres: query.genre === undefined ? outlet.genres : [query.genre],
      territories: [query.territory ?? 'WW'],
    });

export async function listOutlets(query: z.infer<typeof ListQuery>, deps: OutletRoutesDeps) {
  const page = await cursorChecked(
    deps.outlets.list({
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.genre || query.territory || query.kind ? { where: outletFilter(query) } : {}),
      ...(query.genre ? { genres: [query.genre] } : {}),
    }),
  );
  return { outlets: page.outlets.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/**
 * The chunks, each with its rows whose address an earlier row of the file named (`repeated`): pages run
 * one at a time and each reads its own chunk, so what a row repeats across pages is found here, once,
 * from the rows as the pages read them (a rejected row names no address: docs/design.md#jobs).
 */
function withRepeatedRows(chunks: CsvChunk[], columns: string[], separator: CsvSeparator): JobChunk[] {
  const firstNaming = new Map<string, number>();
  return chunks.map((chunk) => {
    const { rows } = parseOutletRows(columns, chunk.text.split('\n'), chunk.firstLine, separator);
    const repeated: Omit<RepeatedRow, 'email'>[] = [];
    for (const { line, input } of rows) {
      const earlierLine = firstNaming.get(input.email);
      if (earlierLine === undefined) firstNaming.set(input.email, line);
      else repeated.push({ line, earlierLine });
    }
    return repeated.length > 0 ? { ...chunk, repeated } : chunk;
  });
}

/**
 * Starts an import job: the header is checked now (a file that cannot be read is a 400 and changes
 * nothing), the lines after it are stored in chunks, and the rows are upserted by the jobs function,
 * one chunk a page. `GET /jobs/{jobId}` reports created, updated and rejected rows with their lines.
 */
export async function startImport(csv: string, deps: OutletRoutesDeps) {
  const read = readOutletCsv(csv);
  if (!read.ok) throw new ValidationError([{ path: '', message: read.error }]);
  const chunks = withRepeatedRows(
    chunkOutletCsv(read.records, read.firstLine, importChunkLimits, read.separator),
    read.columns,
    read.separator,
  );
  const total = chunks.reduce((sum, chunk) => sum + chunk.rows, 0);
  return startJob(
    {
      kind: 'outlet-import',
      columns: read.columns,
      ...(read.separator === ',' ? {} : { separator: read.separator }),
    },
    chunks,
    { pages: chunks.length, total },
    deps.jobs,
  );
}

const isCsv = (contentType: string | undefined) =>
  ['text/csv', 'application/csv'].includes(mediaTypeOf(contentType));

/**
 * The charset a byte order mark says a body is in: it outranks the Content-Type's label (the Encoding
 * Standard's decode), so a spreadsheet's UTF-16 ("Unicode Text" in Excel) is read without one named.
 */
const byteOrderMarks = [
  { mark: [0xef, 0xbb, 0xbf], charset: 'utf-8' },
  { mark: [0xff, 0xfe], charset: 'utf-16le' },
  { mark: [0xfe, 0xff], charset: 'utf-16be' },
] as const;

const markedCharset = (body: Buffer): string | undefined =>
  byteOrderMarks.find(({ mark }) => mark.every((byte, i) => body[i] === byte))?.charset;

/**
 * A CSV body as text, in the charset its byte order mark says or else the `charset` its Content-Type
 * names (UTF-8 when it names none; a spreadsheet saving "CSV" on Windows writes windows-1252): bytes
 * that are not valid in it, or a charset this runtime cannot decode, are a 400 before anything is
 * imported, never a name stored with U+FFFD.
 */
function csvText(body: Buffer, contentType: string | undefined): string {
  const charset = markedCharset(body) ?? charsetOf(contentType) ?? 'utf-8';
  // The Encoding Standard reads US-ASCII's labels as windows-1252, which takes any byte: US-ASCII has
  // none above 0x7F, so such a byte means the file is in some other charset than it says.
  refuseNonAsciiBytes(charset, body);
  const decoder = (() => {
    try {
      return new TextDecoder(charset, { fatal: true });
    } catch {
      throw new ValidationError([
        { path: 'header.content-type', message: `charset ${charset} is not one this API reads` },
      ]);
    }
  })();
  try {
    return decoder.decode(body);
  } catch {
    throw new ValidationError([{ path: '', message: `is not valid ${decoder.encoding} text` }]);
  }
}

export const outletRoutes = (deps: OutletRoutesDeps): ManagementRoute[] => [
  {
    method: 'POST',
    path: '/media-outlets',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const outlet = await createOutlet(bodyOf(OutletInput, event), deps);
      return json(201, view(outlet), { location: `/media-outlets/${outlet.id}` });
    },
    doc: {
      summary: 'Add a media outlet',
      body: { schema: OutletInput },
      responses: {
        201: {
          description: 'the outlet',
          schema: OutletView,
          headers: { Location: { description: 'the outlet: /media-outlets/{outletId}', type: 'string' } },
        },
        400: failure('a field is invalid'),
        409: sameEmail,
        503: writeConflict,
      },
    },
  },
  {
    method: 'GET',
    path: '/media-outlets',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      return json(200, await listOutlets(queryOf(ListQuery, event), deps));
    },
    doc: {
      summary: 'Media outlets, filtered and paginated',
      description:
        '`genre` lists the outlets a release of that genre would reach (those naming it and those with no genres); `territory` those covering it or WW; `kind` those of that kind (radio, press, blog, playlist, tv or podcast, in any case). At most `limit` outlets a page, by name; follow `nextCursor` for the next: the listing is over when a page has none. A filter is applied as the directory is read, and a request reads on until its page is full or the directory ends, but at most 1,000 outlets: a page of a narrow filter over a large directory may hold fewer outlets than `limit`, or none, with a `nextCursor` to read on from.',
      query: ListQuery,
      responses: {
        200: {
          description: 'a page of outlets',
          schema: z.lazy(() =>
            z.object({ outlets: z.array(OutletView), nextCursor: z.optional(z.string()) }),
          ),
        },
        400: failure('a query parameter is invalid'),
      },
    },
  },
  {
    method: 'POST',
    path: '/media-outlets/import',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const body = rawBody(event);
      if (body.length > maxImportBytes) throw payloadTooLarge(maxImportBytes);
      if (!isCsv(header(event, 'content-type'))) throw unsupportedMediaType('text/csv');
      return accepted(await startImport(csvText(body, header(event, 'content-type')), deps));
    },
    doc: {
      summary: 'Import outlets from CSV (a job)',
      description:
        'Upserts outlets by email from the columns name,email,kind,genres,territories,contactName,formats (formats for radio outlets only; lists separated by `;`). A kind is one of radio, press, blog, playlist, tv and podcast, in any case, and every cell is read trimmed, in its quotes too (`" Radio "`); a genre or format a list names again in another case is kept once, as first spelt (`Indie;indie`), since outlets are matched on genres and formats in any case. Cells are separated by commas, or by `;` or tabs when the header separates its names so (a spreadsheet saving in a locale whose decimal mark is a comma quotes a list, `"techno;house"`), or by the one a first line `sep=;` names (as Excel writes it; `sep=,` and `sep=` with a tab too), the header on the line after it; a `sep=` naming another is a 400. genres, contactName and formats may be left out of the header: an outlet the import updates then keeps its own, a new one has none; a column given with an empty cell empties the field. A cell in quotes may hold line breaks (a spreadsheet saves one over several lines; the row is numbered by its first line): in a list they separate its items as `;` does, and a name, address, kind or contactName holding one is refused. An outlet is its address, and rows naming one address are read top to bottom: the last row’s values stand, the outlet is counted once (as its first row found it), and the job’s result lists each later row with the line of the first (`repeated`). One the file leaves out is kept (DELETE it), and a row whose address was changed adds an outlet beside the one at the old address, which is still mailed (PUT moves an outlet to another address). An address that unsubscribed, bounced or complained stays so, whatever the file says, and the job’s result lists each row taken for one (`optedOut`: line, address, which opt-out and since when). An address whose domain is international is taken with the domain in punycode, as SES sends to it (`desk@bücher.example` is `desk@xn--bcher-kva.example`), as by POST and PUT; one whose part before @ is not ASCII is refused (SES sends to none). Watch the job at GET /jobs/{jobId}.',
      body: {
        mediaType: 'text/csv',
        description: `CSV with a header line, up to ${maxImportBytes} bytes, with no control characters but tabs and line breaks; read in the charset the Content-Type names (UTF-8 when it names none), or the one a byte order mark says (UTF-8, UTF-16LE or UTF-16BE), which outranks it`,
      },
      responses: {
        202: { description: 'the job, started', schema: JobAccepted, headers: jobLocation },
        400: failure(
          'the header cannot be read, a first line sep= names a separator the import does not read, a line holds a control character (other than a tab), the body is not valid text in its charset, or the Content-Type names a charset this API does not read (header.content-type)',
        ),
        413: failure(`the file is larger than ${maxImportBytes} bytes`),
        415: failure('Content-Type is not text/csv'),
        503: writeConflict,
      },
    },
  },
  {
    method: 'GET',
    path: '/media-outlets/{outletId}',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const outlet = await deps.outlets.get(outletIdOf(event));
      if (!outlet) throw notFound('outlet');
      return json(200, view(outlet));
    },
    doc: {
      summary: 'A media outlet',
      responses: { 200: { description: 'the outlet', schema: OutletView }, 404: noOutlet },
    },
  },
  {
    method: 'PUT',
    path: '/media-outlets/{outletId}',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      json(200, view(await replaceOutlet(outletIdOf(event), bodyOf(OutletInput, event), deps))),
    doc: {
      summary: 'Replace a media outlet',
      body: { schema: OutletInput },
      responses: {
        200: { description: 'the outlet', schema: OutletView },
        400: failure('a field is invalid'),
        404: noOutlet,
        409: sameEmail,
        503: writeConflict,
      },
    },
  },
  {
    method: 'DELETE',
    path: '/media-outlets/{outletId}',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      if (!(await deps.outlets.remove(outletIdOf(event)))) throw notFound('outlet');
      return { statusCode: 204, body: '' };
    },
    doc: {
      summary: 'Delete a media outlet',
      responses: { 204: { description: 'deleted' }, 404: noOutlet, 503: writeConflict },
    },
  },
];
