import {
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { functions, settingsOf } from '#infra/topology.ts';
import { buildDetail, TourBooked } from '#shared/events/index.ts';
import {
  api,
  armFault,
  busIdle,
  clearFaults,
  cloud,
  deadLetters,
  faultsReport,
  firedSince,
  sdkConfig,
  uniqueId,
} from '#test/support/cloud.ts';

/** State changes on the local cloud's own routes must say they come from a tool. */
const local = { 'x-backline-local': '1' };

/** Faults the local cloud injects into its engines, seen from ordinary SDK clients and from the bus. */
const dynamo = (maxAttempts: number) => new DynamoDBClient({ ...sdkConfig('dynamodb'), maxAttempts });
const key = (id: string) => ({ pk: { S: `FAULTS#${id}` }, sk: { S: 'ITEM' } });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown },
  );

afterEach(clearFaults);

describe('DynamoDB faults on the local DynamoDB port', () => {
  it('answers the throttling and server errors DynamoDB gives, which the SDK retries by itself', async () => {
    const id = uniqueId('item');
    await dynamo(3).send(new PutItemCommand({ TableName: cloud().tableName, Item: key(id) }));
    // Aimed at this test's item, so that no other caller's GetItem on the shared cloud takes them.
    await armFault(`dynamodb.throughput-exceeded:GetItem.${id}`, 1);
    const throughput = await failureOf(
      dynamo(1).send(new GetItemCommand({ TableName: cloud().tableName, Key: key(id) })),
    );
    await armFault(`dynamodb.error:GetItem.${id}`, 1);
    const server = await failureOf(
      dynamo(1).send(new GetItemCommand({ TableName: cloud().tableName, Key: key(id) })),
    );
    await armFault(`dynamodb.throttle:GetItem.${id}`, 2);

    const retried = await dynamo(3).send(new GetItemCommand({ TableName: cloud().tableName, Key: key(id) }));

    expect(throughput).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(server).toBeInstanceOf(InternalServerError);
    expect(server?.$metadata?.httpStatusCode).toBe(500);
    expect(retried.Item).toEqual(key(id));
    expect((await faultsReport()).fired).toMatchObject({
      [`dynamodb.throughput-exceeded:GetItem.${id}`]: 1,
      [`dynamodb.error:GetItem.${id}`]: 1,
      [`dynamodb.throttle:GetItem.${id}`]: 2,
    });
  });

  it('cancels a transaction with a TransactionConflict reason, applying none of it', async () => {
    const [first, second] = [uniqueId('tx'), uniqueId('tx')];
    await armFault(`dynamodb.transaction-conflict:TransactWriteItems.${first}`, 1);

    const error = await failureOf(
      dynamo(3).send(
        new TransactWriteItemsCommand({
          TransactItems: [first, second].map((id) => ({
            Put: { TableName: cloud().tableName, Item: key(id) },
          })),
        }),
      ),
    );

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code);
    expect(reasons?.sort()).toEqual(['None', 'TransactionConflict']);
    const stored = await dynamo(3).send(
      new GetItemCommand({ TableName: cloud().tableName, Key: key(first) }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it('applies a write under dynamodb.accept-then-fail and answers 500, so a conditional retry finds it done', async () => {
    const id = uniqueId('applied');
    await armFault(`dynamodb.accept-then-fail:PutItem.${id}`, 1);

    const error = await failureOf(
      dynamo(2).send(
        new PutItemCommand({
          TableName: cloud().tableName,
          Item: key(id),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );

    expect(error?.name).toBe('ConditionalCheckFailedException');
    const stored = await dynamo(3).send(new GetItemCommand({ TableName: cloud().tableName, Key: key(id) }));
    expect(stored.Item).toEqual(key(id));
  });

  it('takes a fault aimed at an item (`:op.fragment`) only for a request naming a key that holds the fragment', async () => {
    const [mine, other, another] = [uniqueId('aimed'), uniqueId('other'), uniqueId('other')];
    const put = (id: string) => new PutItemCommand({ TableName: cloud().tableName, Item: key(id) });
    const transaction = (...ids: string[]) =>
      new TransactWriteItemsCommand({
        TransactItems: ids.map((id) => ({ Put: { TableName: cloud().tableName, Item: key(id) } })),
      });
    const before = await faultsReport();
    await armFault(`dynamodb.accept-then-fail:PutItem.${mine}`, 1);
    await armFault(`dynamodb.transaction-conflict:TransactWriteItems.${mine}`, 1);

    const others = await Promise.all([dynamo(1).send(put(other)), dynamo(1).send(transaction(another))]);
    const applied = await failureOf(dynamo(1).send(put(mine)));
    const cancelled = await failureOf(dynamo(1).send(transaction(uniqueId('other'), mine)));

    expect(others.map((answer) => answer.$metadata.httpStatusCode)).toEqual([200, 200]);
    expect(applied).toBeInstanceOf(InternalServerError);
    expect(applied?.message).toContain('the write was applied');
    const stored = await dynamo(3).send(new GetItemCommand({ TableName: cloud().tableName, Key: key(mine) }));
    expect(stored.Item).toEqual(key(mine));
    expect(cancelled).toBeInstanceOf(TransactionCanceledException);
    expect(await firedSince(before)).toMatchObject({
      [`dynamodb.accept-then-fail:PutItem.${mine}`]: 1,
      [`dynamodb.transaction-conflict:TransactWriteItems.${mine}`]: 1,
    });
    expect((await faultsReport()).armed).toEqual({});
  });

  it('passes DynamoDB Streams calls through untouched, whatever is armed', async () => {
    await armFault('dynamodb.error', 'inf');

    const response = await fetch(cloud().endpoints.dynamodb, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDBStreams_20120810.ListStreams',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20270101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('Streams');
  });
});

describe('invocation faults and the dead-letter redrive', () => {
  const putTourBooked = async (tourId: string) => {
    const result = await new EventBridgeClient(sdkConfig('events')).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: 'backline.intake',
            DetailType: 'Tour Booked',
            Detail: JSON.stringify(
              buildDetail(TourBooked, { ...TourBooked.sample, tourId }, { labelId: 'lbl-faults' }),
            ),
          },
        ],
      }),
    );
    await busIdle();
    return result.Entries?.[0].EventId;
  };

  it('dead-letters an event whose function crashes before its handler on every attempt, and redrives it once faults are cleared', async () => {
    const tourId = uniqueId('tour');
    // For ever, not three times: the cloud is shared, and a schedule of an earlier file firing into
    // tours would take one of three crashes and let this event through on its third attempt.
    await armFault('invoke.crash-before:tours', 'inf');

    const eventId = await putTourBooked(tourId);
    const letter = (await deadLetters()).find((d) => d.event.id === eventId);
    await clearFaults();
    const redrive = await api('/_local/dlq/redrive', { method: 'POST', headers: local });

    expect(letter).toMatchObject({ function: 'tours', attempts: 3 });
    expect(letter?.error).toContain('invoke.crash-before');
    expect(redrive.status).toBe(200);
    expect(((await redrive.json()) as { succeeded: number }).succeeded).toBeGreaterThanOrEqual(1);
    expect((await deadLetters()).some((d) => d.event.id === eventId)).toBe(false);
  });

  it('fails invocations abandoned by invoke.timeout with "Task timed out", as Lambda at its timeout', async () => {
    await armFault('invoke.timeout:tours', 'inf');

    const eventId = await putTourBooked(uniqueId('tour'));

    const letter = (await deadLetters()).find((d) => d.event.id === eventId);
    expect(letter?.error).toContain(
      `Task timed out after ${settingsOf(functions.tours).timeoutSeconds.toFixed(2)} seconds`,
    );
    expect((await faultsReport()).fired['invoke.timeout:tours']).toBeGreaterThanOrEqual(3);
  });

  it('arms faults at a rate with a seed and lists what is armed and what fired', async () => {
    const armed = await api('/_local/faults', {
      headers: local,
      method: 'POST',
      json: { spec: 'invoke.crash-before:health@0.5,ses.throttle=2', seed: 11 },
    });
    const refused = await api('/_local/faults', {
      method: 'POST',
      headers: local,
      json: { name: 'ses.error', rate: 2 },
    });

    expect(armed.status).toBe(200);
    expect(await armed.json()).toMatchObject({
      seed: 11,
      armed: { 'invoke.crash-before:health': { rate: 0.5 }, 'ses.throttle': { times: 2 } },
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('rate');
  });
});
