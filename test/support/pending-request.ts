import type request from 'supertest';

/**
 * A request sent now and answered later (a preempt waiting in a lock's queue): the test
 * goes on while it waits, and can see whether it has been answered yet.
 */
export class PendingRequest {
  private answer: request.Response | undefined;
  private failure: unknown;
  readonly done: Promise<request.Response>;

  constructor(test: request.Test) {
    this.done = Promise.resolve(test).then(
      (res) => (this.answer = res),
      (error: unknown) => {
        this.failure = error;
        throw error;
      },
    );
    // Observed by whoever awaits `done`; not an unhandled rejection meanwhile.
    this.done.catch(() => undefined);
  }

  /** True once the request has been answered (or failed). */
  get settled(): boolean {
    return this.answer !== undefined || this.failure !== undefined;
  }

  /** A short description, for assertion messages. */
  describe(): string {
    if (this.failure !== undefined)
      return `failed: ${this.failure instanceof Error ? this.failure.message : JSON.stringify(this.failure)}`;
    if (this.answer === undefined) return 'still waiting';
    return `${this.answer.status} ${JSON.stringify(this.answer.body)}`;
  }
}
