import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

/**
 * The floor intake is weighed against (intake.bench.ts), run as its own process: an HTTP server that
 * does for each request only one conditional PutItem and one PutEvents against the same emulators,
 * and answers 202. Prints `{"port"}` once it listens. Endpoints come from AWS_ENDPOINT_URL_*.
 */
const table = process.env.TABLE_NAME ?? 'backline';
const dynamo = new DynamoDBClient({});
const events = new EventBridgeClient({});

const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const id = String(request.headers['webhook-id'] ?? randomUUID());
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: `FLOOR#${id}` },
          sk: { S: 'FLOOR' },
          body: { S: Buffer.concat(chunks).toString('utf8') },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'backline', Source: 'bench.floor', DetailType: 'Floor Recorded', Detail: '{}' },
        ],
      }),
    );
    response.writeHead(202, { 'content-type': 'application/json' }).end(`{"eventId":"${id}"}`);
  } catch (error) {
    response.writeHead(500).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
