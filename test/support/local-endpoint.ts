import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEndpoint } from '#infra/local/endpoint.ts';
import type { LocalKms } from '#infra/local/kms.ts';

type EndpointOptions = Parameters<typeof createEndpoint>[0];

/**
 * The local EventBridge/Scheduler endpoint (infra/local/endpoint.ts) listening on a free port, for a unit
 * test: its bus and scheduler as given, no secrets or KMS keys unless given. Close `server` after.
 */
export async function listeningEndpoint(
  options: Pick<EndpointOptions, 'bus' | 'scheduler'> & Partial<EndpointOptions>,
): Promise<{ server: Server; url: string }> {
  const server = createEndpoint({
    secrets: new Map(),
    kms: { operations: () => ({}) } as unknown as LocalKms,
    account: '000000000000',
    region: 'us-east-1',
    ...options,
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
