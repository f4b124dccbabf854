import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionName, type FunctionSpec, settingsOf } from '../topology.ts';
import type { Faults } from './faults.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class InvocationError extends Error {}

/**
 * The header naming the function a request to the local endpoints comes from. On AWS a function's
 * requests are signed with its role's credentials and IAM holds them to its grants; here every
 * function shares this process's credentials, so the runtime names the caller instead, and the
 * local endpoints hold it to the grants the stack gives its role (the topology's `may`).
 */
export const callerHeader = 'x-backline-local-function';

/**
 * Lambda freezes and then discards the sandbox of an invocation that timed out: requests it already
 * sent may still land, but it starts no new ones. Handlers here share this process, so an abandoned
 * invocation is marked in its async context, and every HTTP request it starts afterwards (the AWS
 * SDK's, through node:http) is destroyed before it is sent. The context also names the function, for
 * `callerHeader`.
 */
const invocation = new AsyncLocalStorage<{ abandoned: boolean; function: FunctionName }>();
subscribe('http.client.request.created', (message) => {
  const running = invocation.getStore();
  if (!running) return;
  const { request } = message as { request: ClientRequest };
  if (running.abandoned) {
    request.destroy(new InvocationError('the invocation timed out: its sandbox no longer runs'));
  } else if (!request.headersSent) {
    request.setHeader(callerHeader, running.function);
  }
});

/**
 * AWS answers a function in the time its clock reads: the endpoints' `Date` agrees with Lambda's. Here
 * the functions read the local clock (docs/design.md#the-local-clock), ahead of wall time, while Node
 * stamps every answer with wall time. The SDK took the difference for clock skew, and tried each error it
 * met after the clock moved as one the skew's correction might cure: a failed condition was sent up to
 * four times, each try taking from the client's retry quota until it retried nothing, not even a 500. So
 * every local endpoint answers a function's request in the local clock's time (the DynamoDB port drops
 * DynamoDB Local's own `Date`, infra/local/dynamodb-faults.ts); other callers, the tests and the CLI on
 * wall time, are answered in wall time.
 */
subscribe('http.server.request.start', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  if (request.headers[callerHeader] !== undefined) response.setHeader('date', new Date().toUTCString());
});

/**
 * Runs the topology's handler modules in this process, as Lambda would: each module is loaded once
 * and reused across invocations (module scope = a warm container), with a Lambda context and the
 * function's timeout. Faults are injected here, never in handler code (docs/design.md#local-faults).
 */
export class LocalRuntime {
  readonly #root: string;
  readonly #faults: Faults;
  readonly #functions: Map<FunctionName, FunctionSpec>;
  readonly #handlers = new Map<FunctionName, Promise<Handler>>();

  constructor(options: { root: string; functions: [FunctionName, FunctionSpec][]; faults: Faults }) {
    this.#root = options.root;
    this.#faults = options.faults;
    this.#functions = new Map(options.functions);
  }

  /** Loads every handler module now, so a broken import fails start-up rather than the first request. */
  async warm(): Promise<void> {
    await Promise.all([...this.#functions.keys()].map((name) => this.#handler(name)));
  }

  /**
   * `requestId`: the invocation's (`context.awsRequestId`). Lambda keeps one across its retries of an
   * asynchronous invocation, so the bus passes the same one to each of them; a new one otherwise.
   */
  async invoke(name: FunctionName, event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const spec = this.#functions.get(name);
    if (!spec) throw new InvocationError(`no function ${name} in the topology`);
    const handler = await this.#handler(name);
    const { timeoutSeconds, memoryMb } = settingsOf(spec);
    const timeoutMs = timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      memoryLimitInMB: String(memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } satisfies Context;
    const timedOut = () => new InvocationError(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    if (this.#faults.takeForInvocation('invoke.crash-before', name, event)) {
      throw new InvocationError(`injected fault invoke.crash-before: ${name} crashed before its handler ran`);
    }
    // invoke.timeout: the deadline comes mid-run (a few milliseconds in) instead of at the function's timeout.
    const abandonAfterMs = this.#faults.takeForInvocation('invoke.timeout', name, event)
      ? Math.floor(this.#faults.draw('invoke.timeout') * 50)
      : undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOut()), abandonAfterMs ?? timeoutMs);
    });
    try {
      const scope = { abandoned: false, function: name };
      const running = invocation.run(scope, () => handler(structuredClone(event), context));
      timeout.catch(() => {
        scope.abandoned = true;
      });
      // An abandoned handler's promise is no longer awaited; its rejection must not crash the process.
      running.catch(() => {});
      const result = await Promise.race([running, timeout]);
      // The handler returned before the injected deadline: Lambda would still have cut it off, so its answer is lost.
      if (abandonAfterMs !== undefined) throw timedOut();
      if (this.#faults.takeForInvocation('invoke.crash-after-return', name, event)) {
        throw new InvocationError(
          `injected fault invoke.crash-after-return: ${name} crashed after its handler returned`,
        );
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  #handler(name: FunctionName): Promise<Handler> {
    let loaded = this.#handlers.get(name);
    if (!loaded) {
      const spec = this.#functions.get(name)!;
      loaded = import(pathToFileURL(resolve(this.#root, spec.entry)).href).then((module) => {
        if (typeof module.handler !== 'function') {
          throw new InvocationError(`${spec.entry} exports no handler function`);
        }
        return module.handler as Handler;
      });
      this.#handlers.set(name, loaded);
    }
    return loaded;
  }
}
