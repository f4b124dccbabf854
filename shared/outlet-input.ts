import { domainToASCII } from 'node:url';
import { CountryOrWorldwide, Genre, Name, RadioFormat } from './events/fields.ts';
import { outletKinds } from './outlets.ts';
import * as z from './zod.ts';

/** What a manager sends to create or replace a media outlet (shared/outlets.ts), and its checks. */

export const OutletKind = z.enum(outletKinds);

/**
 * Invisible format characters (Unicode Cf: a zero-width space, a word joiner, a byte order mark), which an
 * address copied from a web page or a document brings along and no address holds.
 */
const invisible = /\p{Cf}/gu;

const nonAscii = /\P{ASCII}/u;

/**
 * An address with its domain in ASCII: SES v2 takes 7-bit ASCII addresses only (no SMTPUTF8, RFC 6531), a
 * domain with other characters in punycode (RFC 3492), so `desk@bücher.example` is sent to as
 * `desk@xn--bcher-kva.example`. A domain IDNA cannot convert is left as written, and refused as no address.
 */
function asciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  if (at < 0 || !nonAscii.test(domain)) return address;
  return `${address.slice(0, at + 1)}${domainToASCII(domain) || domain}`;
}

/**
 * Trimmed, rid of invisible characters and lower-cased before it is validated, so ` News@Radio.Example `
 * is `news@radio.example`, and so is one pasted with a zero-width space; an international domain is
 * taken in punycode (`asciiDomain`). A local part that is not ASCII is refused: SES v2 cannot send to it.
 * The one rule for an address, for POST/PUT of an outlet and each row of an import.
 */
export const OutletEmail = z.pipe(
  z.string().check(
    z.overwrite((address) => address.replace(invisible, '')),
    z.trim(),
    z.toLowerCase(),
    z.overwrite(asciiDomain),
  ),
  z.string().check(
    z.refine((address) => !nonAscii.test(address.slice(0, address.lastIndexOf('@') + 1)), {
      message: 'the part before @ must be ASCII (SES sends to no address whose local part is not)',
      abort: true,
    }),
    z.email('must be an email address'),
    z.maxLength(254),
  ),
);

const Territory = z.pipe(z.string().check(z.trim(), z.toUpperCase()), CountryOrWorldwide);

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/**
 * What a manager sends to create or replace an outlet (JSON body or one CSV row). Strict: a PUT
 * replaces the whole outlet, so a misspelt field (`contactname`) would clear the real one; it is a
 * 400 naming it instead, as an unknown CSV column or query parameter is.
 */
export const OutletInput = z.lazy(() =>
  z
    .strictObject({
      name: Name,
      email: OutletEmail,
      kind: OutletKind,
      /** Empty: the outlet covers every genre. */
      genres: z.pipe(z._default(z.array(Genre).check(z.maxLength(50)), []), z.transform(unique)),
      territories: z.pipe(
        z
          .array(Territory)
          .check(z.minLength(1, 'must name at least one territory (or WW)'), z.maxLength(250)),
        z.transform(unique),
      ),
      contactName: z.optional(Name),
      /** Radio outlets only: the formats the station programmes, for radio servicing. */
      formats: z.optional(z.pipe(z.array(RadioFormat).check(z.maxLength(20)), z.transform(unique))),
    })
    .check(
      z.superRefine((outlet, context) => {
        if (outlet.formats?.length && outlet.kind !== 'radio') {
          context.addIssue({ code: 'custom', path: ['formats'], message: 'only radio outlets have formats' });
        }
      }),
    ),
);
export type OutletInput = z.infer<typeof OutletInput>;
