import { expect } from 'vitest';
import { api } from './cloud.ts';

/**
 * Every page of a paged answer through the local cloud's gateway, from `query.cursor` (the first page
 * without one), following `nextCursor`: each answered 200 and under the 5 MB a page is held to, with
 * its size in bytes. `query` is sent with every page (a `limit`, say).
 */
export async function allPages<T extends { nextCursor?: string }>(
  path: string,
  query: Record<string, string> = {},
): Promise<{ pages: T[]; bytes: number[] }> {
  const pages: T[] = [];
  const bytes: number[] = [];
  let cursor: string | undefined = query.cursor;
  do {
    const response = await api(`${path}?${new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) })}`);
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    bytes.push(Buffer.byteLength(text));
    expect(bytes.at(-1)).toBeLessThan(5 * 1024 * 1024);
    const page = JSON.parse(text) as T;
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return { pages, bytes };
}
