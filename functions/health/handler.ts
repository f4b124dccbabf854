import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { observability } from '#shared/lambda/observability.ts';

/** `GET /health`: the API answers. (Locally, the gateway first checks that every emulator is ready.) */
export const handler = middy(
  async (): Promise<APIGatewayProxyStructuredResultV2> => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ status: 'ok' }),
  }),
).use(observability('health'));
