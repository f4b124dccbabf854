import { describe, expect, it } from 'vitest';
import {
  againFromFreshRead,
  isWriteConflict,
  readAgain,
  retryingConflicts,
  WriteConflictError,
} from '#shared/db/conflicts.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';

const fast = { baseDelayMs: 1 };

/** An attempt that fails with `failures` in turn, then answers `done`; counts its calls. */
function anAttempt(failures: unknown[]) {
  let calls = 0;
  return {
    run: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('retrying a write cancelled by a concurrent one', () => {
  it('tells a conflict from a refused condition and from other errors', () => {
    expect(isWriteConflict(transactionCancelled(['None', 'TransactionConflict']))).toBe(true);
    expect(isWriteConflict(transactionCancelled(['ThrottlingError', 'None']))).toBe(true);
    expect(
      isWriteConflict(Object.assign(new Error('ongoing'), { name: 'TransactionConflictException' })),
    ).toBe(true);
    expect(isWriteConflict(transactionCancelled(['TransactionConflict', 'ConditionalCheckFailed']))).toBe(
      false,
    );
    expect(isWriteConflict(transactionCancelled(['ValidationError', 'None']))).toBe(false);
    expect(isWriteConflict(transactionCancelled([]))).toBe(false);
    expect(isWriteConflict(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBe(
      false,
    );
  });

  it('runs the attempt again, reading afresh, until it lands', async () => {
    const attempt = anAttempt([
      transactionCancelled(['TransactionConflict']),
      transactionCancelled(['None', 'TransactionConflict']),
    ]);

    const result = await retryingConflicts(attempt.run, fast);

    expect(result).toBe('done');
    expect(attempt.calls()).toBe(3);
  });

  it('leaves a refused condition to the caller, untried again', async () => {
    const refused = transactionCancelled(['ConditionalCheckFailed', 'TransactionConflict']);
    const attempt = anAttempt([refused]);

    await expect(retryingConflicts(attempt.run, fast)).rejects.toBe(refused);
    expect(attempt.calls()).toBe(1);
  });

  it('gives up after a bounded number of attempts with a WriteConflictError naming the cause', async () => {
    const conflict = transactionCancelled(['TransactionConflict']);
    const attempt = anAttempt(Array.from({ length: 10 }, () => conflict));

    const failure = await retryingConflicts(attempt.run, { ...fast, attempts: 3 }).catch((error) => error);

    expect(failure).toBeInstanceOf(WriteConflictError);
    expect(failure.cause).toBe(conflict);
    expect(attempt.calls()).toBe(3);
  });
});

describe('taking a read-then-write again from a fresh read while its write is refused', () => {
  it('reads again after each refusal until the write lands, and gives what it answered', async () => {
    const tries: number[] = [];

    const answer = await againFromFreshRead('show-1', async (tried) => {
      tries.push(tried);
      return tried < 3 ? readAgain : `written on try ${tried}`;
    });

    expect({ answer, tries }).toEqual({ answer: 'written on try 3', tries: [1, 2, 3] });
  });

  it('gives up after its attempts with a WriteConflictError naming what kept changing', async () => {
    let tries = 0;

    const failure = await againFromFreshRead(
      'the promo link counter kept changing',
      async () => {
        tries++;
        return readAgain;
      },
      2,
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WriteConflictError);
    expect((failure as Error).cause).toBe('the promo link counter kept changing');
    expect(tries).toBe(2);
  });
});
