import { defineConfig } from 'vitest/config';

// Unit tests read configuration like a function would; these are fixed dummies.
export const env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  TABLE_NAME: 'backline-test',
  EVENT_BUS_NAME: 'backline',
  EVENT_BUS_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
  SCHEDULE_GROUP: 'backline',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/backline-scheduler',
  SCHEDULE_DEAD_LETTER_ARN: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters',
  SES_CONFIGURATION_SET: 'backline',
  SES_OPERATIONAL_CONFIGURATION_SET: 'backline-operational',
  SES_TEMPLATE_PREFIX: 'backline-',
  SENDER_ADDRESS: 'press@backline.example',
  PUBLIC_BASE_URL: 'http://localhost:3000',
  API_KEY_SECRET_ID: 'backline/api-key',
  TOKEN_KEY_SECRET_ID: 'backline/token-signing-key',
  WEBHOOK_SECRETS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/backline-webhook-secrets',
  MANAGER_TIME_ZONE: 'Europe/London',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

export default defineConfig({
  test: {
    env,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // One worker runs every file: a fresh worker and module graph per file spent more time loading
          // the libraries again than the files spent in their tests. Each file still gets the project's
          // modules afresh (test/support/fresh-modules.ts).
          isolate: false,
          setupFiles: ['test/support/fresh-modules.ts'],
        },
      },
      // Synthesizing the stack takes seconds of CPU per test, more on a busy machine.
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/**/*.own-cloud.test.ts'],
          // One local cloud for the whole run, started by the same entry point as `npm start`.
          globalSetup: ['test/support/global-setup.ts'],
          // Each file starts with no fault armed on that cloud (test/support/integration-setup.ts).
          setupFiles: ['test/support/fresh-modules.ts', 'test/support/integration-setup.ts'],
          // One worker runs every file, as for the unit files (test/support/fresh-modules.ts).
          isolate: false,
          // The files share that cloud and its forward-only clock, so they run one after another.
          fileParallelism: false,
          // A test here waits on a whole cloud (functions, DynamoDB Local, the bus) that a busy
          // 2-core machine slows several times over; the limit is for a hung test, not a slow one.
          testTimeout: 90_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'own-cloud',
          // Files that start local clouds of their own (`npm start` on free ports, test/support/cloud-process.ts)
          // and never reach the shared one: `npm test` runs them beside the shared cloud's files.
          include: ['test/integration/**/*.own-cloud.test.ts'],
          // Each starts DynamoDB Local and the functions; one at a time is what 2 cores carry beside the rest.
          fileParallelism: false,
          testTimeout: 90_000,
        },
      },
    ],
  },
});
