import type { TestProject } from 'vitest/node';
import type { CloudInfo } from './cloud.ts';
import { startCloudProcess } from './cloud-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudInfo;
  }
}

/**
 * One local cloud per test run (docs/design.md#tests): `npm start`'s own entry point on free ports,
 * in memory, with fast retries. Tests reach it over HTTP only, as a user would.
 */
export default async function setup(project: TestProject) {
  const cloud = await startCloudProcess({
    BACKLINE_RETRY_BASE_MS: '50',
    BACKLINE_API_KEY: 'test-api-key-0123456789',
    BACKLINE_MANAGER_TIME_ZONE: 'Europe/London',
  });
  // Only what serialises reaches the tests (not stop or kill).
  const { ready, ports, urls, apiKey, env } = cloud;
  project.provide('cloud', { ready, ports, urls, apiKey, env });
  return cloud.stop;
}
