import type { AppliedEntry } from '@app/lock-table';

/** How many of each kind of command and event a run committed (each entry counted once). */
export interface WorkloadCounts {
  sessionsOpened: number;
  keepAlivesAnswered: number;
  keepAlivesRefused: number;
  sessionsClosed: number;
  sessionsExpired: number;
  /** locks freed because their session ended (closed or expired) */
  sessionLocksFreed: number;
  sessionPreempts: number;
  ttlPreempts: number;
  ttlExpiries: number;
  waitingPreempts: number;
  waitsQueued: number;
  waitsGranted: number;
  waitsExpired: number;
  /** waiters taken out of their queue because their session ended */
  waitsEndedWithSession: number;
  /** preempts and releases sent again with a requestId already in the log */
  retries: number;
  nonOwnerReleases: number;
  grants: number;
  releases: number;
}

export function emptyWorkloadCounts(): WorkloadCounts {
  return {
    sessionsOpened: 0,
    keepAlivesAnswered: 0,
    keepAlivesRefused: 0,
    sessionsClosed: 0,
    sessionsExpired: 0,
    sessionLocksFreed: 0,
    sessionPreempts: 0,
    ttlPreempts: 0,
    ttlExpiries: 0,
    waitingPreempts: 0,
    waitsQueued: 0,
    waitsGranted: 0,
    waitsExpired: 0,
    waitsEndedWithSession: 0,
    retries: 0,
    nonOwnerReleases: 0,
    grants: 0,
    releases: 0,
  };
}

/** Tallies the committed log, entry by entry, the first time any node applies each index. */
export class WorkloadTally {
  readonly counts = emptyWorkloadCounts();
  private readonly requestIds = new Set<string>();

  onCommitted({ command, outcome, events }: AppliedEntry): void {
    if (command === null || outcome === null) return;
    const c = this.counts;
    if (outcome.type === 'sessionOpened') c.sessionsOpened++;
    if (outcome.type === 'sessionClosed')
      c[command.type === 'expireSession' ? 'sessionsExpired' : 'sessionsClosed']++;
    if (outcome.type === 'notOwner') c.nonOwnerReleases++;
    if (command.type === 'preempt') {
      if (command.sessionId !== undefined) c.sessionPreempts++;
      if (command.ttlMs !== undefined) c.ttlPreempts++;
      if (command.waitMs !== undefined) c.waitingPreempts++;
    }
    if ((command.type === 'preempt' || command.type === 'release') && command.requestId !== undefined) {
      const key = `${command.clientId}#${command.requestId}`;
      if (this.requestIds.has(key)) c.retries++;
      this.requestIds.add(key);
    }
    for (const event of events) {
      if (event.type === 'granted') c[event.waiterId === null ? 'grants' : 'waitsGranted']++;
      if (event.type === 'released' && command.type === 'release') c.releases++;
      if (event.type === 'expired') c[event.reason === 'lockTtl' ? 'ttlExpiries' : 'sessionLocksFreed']++;
      if (event.type === 'released' && command.type === 'closeSession') c.sessionLocksFreed++;
      if (event.type === 'waiterQueued') c.waitsQueued++;
      if (event.type === 'waiterLeft')
        c[event.reason === 'timedOut' ? 'waitsExpired' : 'waitsEndedWithSession']++;
    }
  }
}
