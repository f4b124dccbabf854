import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * Pages people open are tested in a real browser: Debian's headless Chromium driven by
 * playwright-core (docs/design.md#tests). No browser build is ever downloaded: when the Debian
 * package is missing and we are root, it is installed with apt-get; otherwise `browserOrSkip`
 * answers why, and the test skips with that message.
 */
const candidates = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

function findChromium(): string | undefined {
  return candidates.find((path) => existsSync(path));
}

function installChromium(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium-headless-shell'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return findChromium();
}

export type BrowserOrSkip = { browser: Browser } | { skip: string };

export async function browserOrSkip(): Promise<BrowserOrSkip> {
  const executablePath = findChromium() ?? installChromium();
  if (!executablePath) {
    return {
      skip: 'headless Chromium is not installed and could not be installed here: run `apt-get install chromium-headless-shell` (Debian) and rerun',
    };
  }
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  return { browser };
}

/**
 * One browser for the test file or `describe` block that calls it: launched before its tests, closed
 * after them. `browser` is undefined when there is none, and `skip` then says why:
 *   const chromium = withBrowser();
 *   it('...', async (context) => { if (!chromium.browser) return context.skip(chromium.skip); ... });
 */
export function withBrowser(): { browser?: Browser; skip?: string } {
  const state: { browser?: Browser; skip?: string } = {};
  beforeAll(async () => {
    const found = await browserOrSkip();
    if ('browser' in found) state.browser = found.browser;
    else state.skip = found.skip;
  });
  afterAll(async () => {
    await state.browser?.close();
  });
  return state;
}

/**
 * A script for `page.evaluate`: each word of up to 20 characters in a table cell that the page renders
 * on more than one line (longer ids and hashes may wrap).
 */
export const brokenTableWords = `(() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('td')) continue;
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      if (match[0].length > 20) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1) words.push(match[0]);
    }
  }
  return words;
})()`;
