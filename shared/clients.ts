import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS SDK v3 clients, built once per process (Lambda reuses module scope across invocations) and
 * only when a function first needs them. Each is marked pure, so a bundle holds only the SDK clients
 * its function uses (esbuild drops the others, see infra/bundles.ts). Endpoints come from the SDK's standard variables
 * (AWS_ENDPOINT_URL_DYNAMODB, ...), which is how the local cloud points them at its emulators.
 */
const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

const documents = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const dynamo = /* @__PURE__ */ once(() => documents(new DynamoDBClient({})));
/**
 * A DynamoDB client of its own that gives up each try of a request after `requestTimeoutMs` (a
 * `TimeoutError`, which the SDK tries again), for work whose writes must answer within a time: a job
 * page's attempt, within its lease (docs/design.md#jobs). The shared client waits for an answer as long
 * as its socket stays open.
 */
export const dynamoAnsweringWithin = (requestTimeoutMs: number) =>
  documents(
    new DynamoDBClient({ requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } }),
  );
export const eventBridge = /* @__PURE__ */ once(() => new EventBridgeClient({}));
export const scheduler = /* @__PURE__ */ once(() => new SchedulerClient({}));
/**
 * SES with the SDK's retries off: a retried SendBulkEmail after a lost answer (a 5xx after SES
 * accepted) would send every mail of the call twice. Whether and when to try again is decided by
 * the claim protocol instead (docs/design.md#exactly-once-mail).
 */
export const ses = /* @__PURE__ */ once(() => new SESv2Client({ maxAttempts: 1 }));
export const kms = /* @__PURE__ */ once(() => new KMSClient({}));
export const secretsManager = /* @__PURE__ */ once(() => new SecretsManagerClient({}));
