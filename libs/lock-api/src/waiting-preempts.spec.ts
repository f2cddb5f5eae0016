import { WaitingPreempts } from './waiting-preempts';

describe('WaitingPreempts', () => {
  const granted = { type: 'granted', index: 9, owner: 'c2', fencingToken: 9 } as const;

  it('answers every request waiting on a waiter, and any later retry, with how it settled', async () => {
    const preempts = new WaitingPreempts();
    const first = preempts.wait(2, 5_000);
    const joined = preempts.wait(2, 5_000);
    preempts.settle(2, granted);
    await expect(first).resolves.toEqual(granted);
    await expect(joined).resolves.toEqual(granted);
    // The answers were lost; each retry of the same request learns the outcome too.
    await expect(preempts.wait(2, 5_000)).resolves.toEqual(granted);
    await expect(preempts.wait(2, 5_000)).resolves.toEqual(granted);
  });

  it('answers a request that registers after its waiter settled', async () => {
    const preempts = new WaitingPreempts();
    const left = { type: 'left', index: 5, reason: 'timedOut' } as const;
    preempts.settle(3, left);
    await expect(preempts.wait(3, 5_000)).resolves.toEqual(left);
    await expect(preempts.wait(3, 5_000)).resolves.toEqual(left);
  });
});
