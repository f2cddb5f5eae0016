import type { BenchClient } from './bench-clients';
import type { Workload } from './bench-options';
import { LatencyRecorder } from './latency-recorder';

/** What one measured stretch of a workload did. */
export class WorkloadTally {
  ops = 0;
  successes = 0;
  errors = 0;
  readonly firstErrors: string[] = [];
  readonly preempt = new LatencyRecorder();
  readonly release = new LatencyRecorder();
  readonly check = new LatencyRecorder();

  fail(err: unknown): void {
    this.errors++;
    if (this.firstErrors.length < 5) this.firstErrors.push(err instanceof Error ? err.message : String(err));
  }
}

export interface WorkloadContext {
  workload: Workload;
  keys: number;
  /** The lock W3 checks; held by the set-up. */
  checkedLock: string;
  /** Read at every operation, so the caller can swap tallies between warm-up and measurement. */
  tally: () => WorkloadTally;
  running: () => boolean;
}

async function timed<T>(recorder: LatencyRecorder, operation: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const result = await operation();
  recorder.record(performance.now() - startedAt);
  return result;
}

/** W1: preempt the client's own lock, then release it; one op is the whole cycle. */
async function uncontendedCycle(client: BenchClient, tally: WorkloadTally): Promise<void> {
  const name = `bench-w1-${client.index}`;
  const sessionId = client.session.sessionId;
  const grant = await timed(tally.preempt, () => client.client.preempt(name, { sessionId }));
  const released = await timed(tally.release, () => client.client.release(name, { sessionId }));
  tally.ops++;
  if (grant.acquired && released.released) tally.successes++;
}

/** W2: try-lock a random one of `keys` locks; release on success. One op is one attempt. */
async function contendedAttempt(client: BenchClient, keys: number, tally: WorkloadTally): Promise<void> {
  const name = `bench-w2-${Math.floor(Math.random() * keys)}`;
  const sessionId = client.session.sessionId;
  const grant = await timed(tally.preempt, () => client.client.preempt(name, { sessionId }));
  tally.ops++;
  if (!grant.acquired) return;
  tally.successes++;
  await timed(tally.release, () => client.client.release(name, { sessionId }));
}

async function ownerCheck(
  client: BenchClient,
  context: WorkloadContext,
  tally: WorkloadTally,
): Promise<void> {
  const consistency = context.workload === 'w3lin' ? 'linearizable' : 'local';
  const answer = await timed(tally.check, () => client.client.check(context.checkedLock, { consistency }));
  tally.ops++;
  if (answer.owner !== null) tally.successes++;
}

/** One logical client's closed loop: one operation outstanding at a time until told to stop. */
export async function runClientLoop(client: BenchClient, context: WorkloadContext): Promise<void> {
  while (context.running()) {
    const tally = context.tally();
    try {
      if (context.workload === 'w1') await uncontendedCycle(client, tally);
      else if (context.workload === 'w2') await contendedAttempt(client, context.keys, tally);
      else await ownerCheck(client, context, tally);
    } catch (err: unknown) {
      // A failed request is a figure of the run (errors), not the end of it.
      tally.fail(err);
    }
  }
}
