import { describe, expect, it } from 'vitest';
import { FencedWriteError, WriteFence } from '#shared/db/write-fence.ts';

describe('a write fence', () => {
  it('answers its closing once the writes already sent have answered, and sends none after', async () => {
    const fence = new WriteFence();
    let answer = () => {};
    const sent: string[] = [];
    const writing = fence.write(
      () =>
        new Promise<void>((resolve) => {
          sent.push('first');
          answer = resolve;
        }),
    );
    let closed = false;

    const closing = fence.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const closedBeforeTheAnswer = closed;
    answer();
    await closing;
    const refused = await fence
      .write(async () => {
        sent.push('second');
      })
      .catch((error: Error) => error);

    expect(closedBeforeTheAnswer).toBe(false);
    await expect(writing).resolves.toBeUndefined();
    expect(fence.signal.aborted).toBe(true);
    expect(refused).toBeInstanceOf(FencedWriteError);
    expect(sent).toEqual(['first']);
  });
});
