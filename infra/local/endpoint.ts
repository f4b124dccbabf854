import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FunctionName } from '../topology.ts';
import { BusError, type LocalBus } from './bus/bus.ts';
import { startingAnswer } from './gateway.ts';
import type { LocalKms } from './kms.ts';
import type { RequestCounts } from './request-counts.ts';
import { callerHeader } from './runtime.ts';
import type { LocalScheduler } from './scheduler.ts';

/**
 * One port (default 4010) for the AWS JSON services of the local cloud, routed as AWS routes them:
 * EventBridge, Secrets Manager and KMS by `X-Amz-Target` (AWS JSON 1.1), the Scheduler by REST path.
 * Unmodified SDK clients reach it through AWS_ENDPOINT_URL_EVENTBRIDGE / _SCHEDULER / _SECRETS_MANAGER / _KMS.
 */
export function createEndpoint(options: {
  bus: LocalBus;
  scheduler: LocalScheduler;
  secrets: Map<string, string>;
  kms: LocalKms;
  account: string;
  region: string;
  counts?: RequestCounts;
  /**
   * False while the local cloud starts: an event put then would be delivered to functions not yet
   * configured, so PutEvents is refused with a 503, as EventBridge refuses a call it cannot serve now
   * (the SDK retries it). The rest is served: the start-up provisions its schedules through this port.
   * Ready when not given.
   */
  isReady?: () => boolean;
}): Server {
  const { bus, scheduler, secrets, kms, account, region, counts, isReady } = options;

  // `role`: the function whose handler called (its role, on AWS); none for a test's or an operator's call.
  const awsJson: Record<string, (input: Record<string, unknown>, role?: FunctionName) => unknown> = {
    'AWSEvents.PutEvents': (input, role) => bus.putEvents(input.Entries as never, 'functions', role),
    'AWSEvents.TestEventPattern': (input) => ({
      Result: bus.testEventPattern(input.EventPattern as string, input.Event as string),
    }),
    'secretsmanager.GetSecretValue': (input) => {
      const id = String(input.SecretId ?? '');
      const name = id.startsWith('arn:') ? id.split(':secret:')[1] : id;
      const value = secrets.get(name);
      if (value === undefined) {
        throw new BusError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      return {
        ARN: `arn:aws:secretsmanager:${region}:${account}:secret:${name}`,
        Name: name,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      };
    },
    ...kms.operations(),
  };

  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    try {
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        counts?.addTarget(target);
        const operation = awsJson[target];
        if (!operation) throw new BusError('UnknownOperationException', `${target} is not served locally.`);
        if (target === 'AWSEvents.PutEvents' && isReady && !isReady()) {
          res.setHeader('x-amzn-errortype', 'ServiceUnavailableException');
          return reply(res, startingAnswer.status, {
            __type: 'ServiceUnavailableException',
            message: 'The local cloud is starting: put the events again in a moment.',
          });
        }
        const input = body.length ? JSON.parse(body.toString('utf8')) : {};
        const role = req.headers[callerHeader];
        return reply(
          res,
          200,
          operation(input, typeof role === 'string' ? (role as FunctionName) : undefined),
        );
      }
      const operation = await scheduler.handle(req, res, body);
      if (operation) return counts?.add('Scheduler', operation);
      reply(res, 404, { message: `${req.method} ${req.url} is not served here` });
    } catch (error) {
      if (error instanceof BusError) {
        const status = error.code === 'InternalException' ? 500 : 400;
        res.setHeader('x-amzn-errortype', error.code);
        return reply(res, status, { __type: error.code, message: error.message });
      }
      if (error instanceof SyntaxError) {
        return reply(res, 400, { __type: 'SerializationException', message: 'request body is not JSON' });
      }
      reply(res, 500, { __type: 'InternalException', message: (error as Error).message });
    }
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}
