import { configKeys } from '#shared/config.ts';

/**
 * What a deployed function finds in its environment, for loading its bundle outside Lambda (the
 * bundles test, `npm run bench bundles`): nothing is called at init, so dummies do.
 */
export const initEnvironment: Record<string, string> = {
  ...Object.fromEntries(configKeys().map((key) => [key, 'x'])),
  EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:000000000000:event-bus/backline',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/scheduler',
  SCHEDULE_DEAD_LETTER_ARN: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters',
  SENDER_ADDRESS: 'press@backline.example',
  PUBLIC_BASE_URL: 'https://backline.example',
  MANAGER_TIME_ZONE: 'Europe/London',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};
