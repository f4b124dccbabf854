/**
 * Requests the local cloud's AWS endpoints answered since start, by service and operation
 * (`DynamoDB PutItem`, `EventBridge PutEvents`, `KMS Decrypt`): what AWS would bill as requests, and
 * what a benchmark divides by the work it did (`GET /_local/requests`).
 */
export class RequestCounts {
  readonly #counts = new Map<string, number>();

  add(service: string, operation: string): void {
    const key = `${service} ${operation}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** An `X-Amz-Target` header (`DynamoDB_20120810.PutItem`, `AWSEvents.PutEvents`) counted under its service's name. */
  addTarget(target: string): void {
    const dot = target.indexOf('.');
    const prefix = target.slice(0, dot);
    this.add(serviceNames[prefix] ?? prefix, target.slice(dot + 1));
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

const serviceNames: Record<string, string> = {
  DynamoDB_20120810: 'DynamoDB',
  DynamoDBStreams_20120810: 'DynamoDB Streams',
  AWSEvents: 'EventBridge',
  TrentService: 'KMS',
  secretsmanager: 'Secrets Manager',
};
