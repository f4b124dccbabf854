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
