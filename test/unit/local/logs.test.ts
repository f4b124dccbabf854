import { describe, expect, it } from 'vitest';
import { readableLine } from '#infra/local/logs.ts';

describe('the local log', () => {
  it("prints a Powertools JSON line as one readable line with the invocation's facts and correlation id", () => {
    const line = JSON.stringify({
      level: 'INFO',
      message: 'invocation done',
      timestamp: '2027-01-05T10:00:01.234Z',
      service: 'releases',
      cold_start: false,
      function_name: 'releases',
      function_request_id: 'r-1',
      correlationId: 'c-42',
      detailType: 'Release Scheduled',
      source: 'backline.intake',
    });

    expect(readableLine(line)).toBe(
      '10:00:01.234 INFO  releases       invocation done detailType="Release Scheduled" source=backline.intake correlationId=c-42',
    );
  });

  it("names an error's message on the line", () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'invocation failed',
      timestamp: '2027-01-05T10:00:01.234Z',
      service: 'announcer',
      error: { name: 'Error', message: 'SES throttled', stack: 'Error: ...' },
    });

    expect(readableLine(line)).toContain('error="Error: SES throttled"');
  });

  it('drops metric (EMF) lines and leaves other output as it is', () => {
    expect(readableLine(JSON.stringify({ _aws: { CloudWatchMetrics: [] }, MailsSent: 3 }))).toBeUndefined();
    expect(readableLine('local bus: resuming 2 unfinished deliveries')).toBe(
      'local bus: resuming 2 unfinished deliveries',
    );
  });
});
