import { newClientId } from './client-ids';
import { postWithFailover, type Attempt } from './failover-request';
import { historyClock } from './history-clock';
import { defined } from './defined';

/**
 * One acknowledged grant and what became of it, with readings of `historyClock()`:
 * when the preempt was first sent, when its 200 arrived, when the release was first sent
 * and when its 200 arrived (null: not sent / never answered).
 */
export interface Hold {
  name: string;
  owner: string;
  token: number;
  grantInvokedAt: number;
  grantAckedAt: number;
  releaseInvokedAt: number | null;
  releaseAckedAt: number | null;
}

export interface LoadHistory {
  holds: Hold[];
  /** preempts answered 409 (held by another client) */
  refusals: number;
  /** operations whose outcome stayed unknown past their deadline */
  unresolved: string[];
  /** answers no client should ever get: 5xx other than 503, 503 without Retry-After, a 200 naming another owner... */
  anomalies: string[];
  /** every try of every request, answered or not */
  attempts: number;
}

export interface LockLoadOptions {
  /** the nodes' base URLs now (a function: killed nodes drop out, restarted ones come back) */
  urls: () => string[];
  names: string[];
  clients: number;
  /** how long one operation may be retried before its outcome counts as unknown */
  operationDeadlineMs?: number;
}

/**
 * Concurrent client loops, each with its own clientId and its own first node, that preempt a
 * random lock of `names` and release it when granted, retrying 503s and connection errors
 * against another node with the same requestId. When stopped, a client that holds a lock
 * keeps it, so the final state has acknowledged grants that must survive.
 */
export class LockLoad {
  private stopping = false;
  private readonly history: LoadHistory = {
    holds: [],
    refusals: 0,
    unresolved: [],
    anomalies: [],
    attempts: 0,
  };
  private readonly loops: Promise<void>[];

  private constructor(private readonly options: LockLoadOptions) {
    this.loops = Array.from({ length: options.clients }, (_, i) => this.clientLoop(i));
  }

  static start(options: LockLoadOptions): LockLoad {
    return new LockLoad(options);
  }

  /** What has been recorded so far (live; do not modify). */
  get soFar(): Readonly<LoadHistory> {
    return this.history;
  }

  /** Lets every client finish its current operation (keeping a lock it holds) and returns the history. */
  async stop(): Promise<LoadHistory> {
    this.stopping = true;
    await Promise.all(this.loops);
    return this.history;
  }

  private async clientLoop(index: number): Promise<void> {
    const clientId = newClientId();
    const deadlineMs = this.options.operationDeadlineMs ?? 30_000;
    let requestId = 0;
    let nodeIndex = index;
    const onAttempt = (attempt: Attempt): void => {
      this.history.attempts++;
      if (attempt.status === undefined) return;
      if (attempt.status >= 500 && attempt.status !== 503)
        this.history.anomalies.push(`${attempt.path} via ${attempt.url} answered ${attempt.status}`);
      if (attempt.status === 503 && attempt.retryAfter === undefined)
        this.history.anomalies.push(`${attempt.path} via ${attempt.url} answered 503 without Retry-After`);
    };

    while (!this.stopping) {
      const name = defined(
        this.options.names[Math.floor(Math.random() * this.options.names.length)],
        'a lock name',
      );
      const preemptId = ++requestId;
      const grantInvokedAt = historyClock();
      const granted = await postWithFailover(
        this.options.urls,
        `/locks/${name}/preempt`,
        { clientId, requestId: preemptId },
        {
          deadline: Date.now() + deadlineMs,
          startIndex: nodeIndex++,
          onAttempt,
        },
      );
      const grantAckedAt = historyClock();
      if (granted === null) {
        // It may or may not have been granted; this client stops and never touches the lock again.
        this.history.unresolved.push(`preempt ${name} by ${clientId} (requestId ${preemptId})`);
        return;
      }
      if (granted.status === 409) {
        this.history.refusals++;
        if (granted.body.acquired !== false || granted.body.owner === clientId)
          this.history.anomalies.push(`409 to preempt ${name}: ${JSON.stringify(granted.body)}`);
        continue;
      }
      if (
        granted.status !== 200 ||
        granted.body.acquired !== true ||
        granted.body.owner !== clientId ||
        !Number.isInteger(granted.body.fencingToken)
      ) {
        this.history.anomalies.push(
          `preempt ${name} by ${clientId} answered ${granted.status} ${JSON.stringify(granted.body)}`,
        );
        return;
      }
      const hold: Hold = {
        name,
        owner: clientId,
        token: granted.body.fencingToken,
        grantInvokedAt,
        grantAckedAt,
        releaseInvokedAt: null,
        releaseAckedAt: null,
      };
      this.history.holds.push(hold);
      if (this.stopping) return; // keeps the lock

      const releaseId = ++requestId;
      hold.releaseInvokedAt = historyClock();
      const released = await postWithFailover(
        this.options.urls,
        `/locks/${name}/release`,
        { clientId, requestId: releaseId },
        {
          deadline: Date.now() + deadlineMs,
          startIndex: nodeIndex++,
          onAttempt,
        },
      );
      const releaseAckedAt = historyClock();
      if (released === null) {
        this.history.unresolved.push(
          `release ${name} by ${clientId} (requestId ${releaseId}, token ${hold.token})`,
        );
        return;
      }
      if (released.status !== 200 || released.body.released !== true) {
        // The owner's own release, retried with the same requestId, can only succeed.
        this.history.anomalies.push(
          `release ${name} by its owner ${clientId} (token ${hold.token}) answered ${released.status} ${JSON.stringify(released.body)}`,
        );
        return;
      }
      hold.releaseAckedAt = releaseAckedAt;
    }
  }
}
