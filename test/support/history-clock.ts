let ticks = 0;

/**
 * A logical clock for client histories: every call returns a larger number. The test runs
 * in one JS thread, so the order of its calls is the real-time order in which this process
 * sent requests and received answers; comparing two readings never depends on timer
 * resolution (two events in the same millisecond still have distinct, ordered readings).
 */
export function historyClock(): number {
  return ++ticks;
}
