import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** `GET /health`: the API answers. (Locally, the gateway first checks that every emulator is ready.) */
export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify({ status: 'ok' }),
});
