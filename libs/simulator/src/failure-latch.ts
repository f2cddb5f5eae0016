/**
 * Keeps the first error thrown inside a node's Ready cycle. The ReadyProcessor runs that
 * cycle detached from the caller (kick), so without this an assertion there could end
 * as an unhandled rejection instead of failing the run.
 */
export class FailureLatch {
  private first: Error | null = null;

  record(error: unknown): void {
    if (this.first === null) this.first = error instanceof Error ? error : new Error(String(error));
  }

  /** Runs `fn`, recording (and rethrowing) whatever it throws. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.record(error);
      throw error;
    }
  }

  throwIfFailed(): void {
    if (this.first !== null) throw this.first;
  }
}
