import { readFileSync } from 'node:fs';
import { parseErn } from '#shared/ern.ts';

/**
 * The DDEX ERN messages in test/fixtures/ern, written from the standard's structure: ERN 4.3, and the
 * single again as ERN 4.3.1 and 4.3.2 (`single-ern431`, `single-ern432`) in each version's schema.
 */
export type ErnFixture =
  | 'single'
  | 'album-12-tracks'
  | 'three-territories'
  | 'takedown'
  | 'single-ern431'
  | 'single-ern432';

/**
 * A fixture with its `{{placeholders}}` filled (message id, creation time, ICPN, genre, dates), so each
 * test sends its own release on dates relative to the cloud's clock. A placeholder left unfilled throws.
 */
export function ernMessage(name: ErnFixture, values: Record<string, string>): string {
  const template = readFileSync(new URL(`../fixtures/ern/${name}.xml`, import.meta.url), 'utf8');
  return template.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`ERN fixture ${name} needs a value for {{${key}}}`);
    return value;
  });
}

/** A 13-digit ICPN (EAN-13 shape) unique enough for one test run. */
export const anIcpn = (): string =>
  `50${String(Date.now()).slice(-8)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;

/** The message id, creation time, ICPN and genre of the unit tests' messages (add the dates). */
export const ernBase = {
  messageId: 'MSG-2027-0001',
  createdAt: '2027-01-05T10:00:00Z',
  icpn: '5012345678900',
  genre: 'Synthpop',
};

/** What the reader refuses in a message, each issue naming its element: none when it reads it. */
export const ernIssues = (raw: string) => {
  const parsed = parseErn(raw);
  return parsed.ok ? [] : parsed.error.issues;
};
