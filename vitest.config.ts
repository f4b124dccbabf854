import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/infra/**/*.test.ts'],
    // Unit tests read configuration like a function would; these are fixed dummies.
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: 'backline-test',
      EVENT_BUS_NAME: 'backline',
      EVENT_BUS_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
      SCHEDULE_GROUP: 'backline',
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/backline-scheduler',
      SES_CONFIGURATION_SET: 'backline',
      SENDER_ADDRESS: 'press@backline.example',
      PUBLIC_BASE_URL: 'http://localhost:3000',
      API_KEY_SECRET_ID: 'backline/api-key',
      TOKEN_KEY_SECRET_ID: 'backline/token-key',
      MANAGER_TIME_ZONE: 'Europe/London',
    },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
