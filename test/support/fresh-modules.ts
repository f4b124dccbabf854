import { createRequire } from 'node:module';
import { afterAll, vi } from 'vitest';

// The unit files, and the shared cloud's files, share one worker each (`isolate: false` in
// vitest.config.ts), so the libraries (the AWS SDK, zod, Powertools) load once per run, not once per
// file. Each file still starts as it would in a process of its own: the project's modules evaluated
// afresh (a cache or a client one file fills is not another's), and after it, the environment it was
// given, the real Date (the local cloud's virtual clock patches it for the whole process:
// infra/local/clock.ts) and no SDK client's `send` stubbed (aws-sdk-client-mock stubs the client's
// class, which the next file would share).
vi.resetModules();

// aws-sdk-client-mock stubs through sinon's CommonJS build, whose sandbox the ESM build does not share.
const sinon = createRequire(import.meta.url)('sinon') as { restore(): void };

const environment = { ...process.env };
const date = globalThis.Date;
const virtualClock = Symbol.for('backline.local.virtualClock');

afterAll(() => {
  sinon.restore();
  vi.useRealTimers();
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  globalThis.Date = date;
  delete (globalThis as { [virtualClock]?: unknown })[virtualClock];
});
