import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DinnerLog } from './dinner-log';
import { ExpiryWatch } from './expiry-watch';
import { forkLockName } from './fork-names';
import type { DinnerSetup } from './dinner-summary';
import type { FaultReport, KillNodeFault, KillPhilosopherFault } from './fault-report';
import type { PhilosopherMessage } from './ipc-messages';
import { PhilosopherSeats } from './philosopher-seats';
import type { Seat } from './philosopher-seats';
import type { TableOptions } from './table-options';
import { elementAt } from './element-at';

const READY_TIMEOUT_MS = 60_000;
/** How long the table looks for an eating philosopher to kill before taking any. */
const PICK_EATER_MS = 5000;

/** What killing a node needs from the embedded cluster. */
export interface NodeKiller {
  leaderId(): Promise<string | null>;
  readonly nodes: { id: string; tcpAddress: string }[];
  kill(id: string): Promise<void>;
}

/**
 * The table: seats the philosopher processes, hands out the meal counts, stamps every meal
 * on its clock, and injects the faults. Time is milliseconds since "go".
 */
export class DinnerTable {
  readonly log: DinnerLog;
  readonly setup: DinnerSetup;
  readonly faults: FaultReport[] = [];
  private readonly seats: PhilosopherSeats;
  private startedAt = 0;
  private going = false;
  private stopping = false;
  private broadcastPending = false;
  private readonly faultTasks: Promise<void>[] = [];
  private readonly clientIds: string[] = [];
  private expiryWatch: ExpiryWatch | null = null;

  constructor(
    private readonly options: TableOptions,
    private readonly nodes: string[],
    script: string,
    embedded: boolean,
  ) {
    this.log = new DinnerLog(options.philosophers);
    this.setup = {
      philosophers: options.philosophers,
      seconds: options.seconds,
      eatMs: options.eatMs,
      thinkMs: options.thinkMs,
      sessionTtlMs: options.sessionTtlMs,
      runId: randomBytes(4).toString('hex'),
      servers: nodes,
      embeddedCluster: embedded,
    };
    this.seats = new PhilosopherSeats(
      script,
      (seat, message) => this.onMessage(seat, message),
      (seat, code, signal) => this.onExit(seat, code, signal),
    );
  }

  now(): number {
    return performance.now() - this.startedAt;
  }

  get pids(): number[] {
    return this.seats.seats.map((s) => s.pid);
  }

  /** One process per philosopher, each on its own node first (round robin), the others as fallbacks. */
  async seatEveryone(interrupted: Promise<void>): Promise<void> {
    for (let p = 0; p < this.options.philosophers; p++) {
      const first = p % this.nodes.length;
      const nodes = [...this.nodes.slice(first), ...this.nodes.slice(0, first)];
      const { eatMs, thinkMs, sessionTtlMs, forkWaitMs, philosophers } = this.options;
      const config = {
        index: p,
        philosophers,
        nodes,
        runId: this.setup.runId,
        eatMs,
        thinkMs,
        sessionTtlMs,
        forkWaitMs,
      };
      this.seats.seat(config);
    }
    const deadline = performance.now() + READY_TIMEOUT_MS;
    let stop = false;
    void interrupted.then(() => (stop = true));
    while (!this.seats.seats.every((s) => s.ready)) {
      const gone = this.seats.seats.find((s) => s.exited);
      if (gone !== undefined) {
        const why =
          this.log.troubles.filter((t) => t.includes(` P${gone.index}: `)).pop() ?? 'no reason given';
        throw new Error(`philosopher ${gone.index} exited before the dinner began (${why})`);
      }
      if (stop) throw new Error('interrupted');
      if (performance.now() > deadline) throw new Error('the philosophers did not all sit down in time');
      await sleep(20);
    }
  }

  /** Runs the dinner until `seconds` pass or `interrupted` resolves; returns its length in ms. */
  async dine(interrupted: Promise<void>, onTick: () => void, tickMs: number): Promise<number> {
    this.startedAt = performance.now();
    this.going = true;
    if (this.options.killPhilosopherAfterS !== undefined) {
      const names = this.log.counts.map((_, fork) => forkLockName(this.setup.runId, fork));
      this.expiryWatch = new ExpiryWatch(this.nodes, names, () => this.now());
    }
    this.seats.sendAll({ type: 'go' });
    this.scheduleFaults();
    const ticker = setInterval(onTick, tickMs);
    await Promise.race([this.pause(this.options.seconds * 1000), interrupted]);
    clearInterval(ticker);
    // An interrupted dinner leaves no timer behind (the end of the dinner, faults not yet due).
    this.dinnerOver.abort();
    const elapsedMs = this.now();
    this.stopping = true;
    this.seats.sendAll({ type: 'stop' });
    await this.seats.waitAllGone(this.options.eatMs + 15_000);
    await Promise.all(this.faultTasks);
    await this.expiryWatch?.close();
    this.finishFaults(elapsedMs);
    return elapsedMs;
  }

  killAllNow(): void {
    this.seats.killAllNow();
  }

  async waitAllGone(graceMs: number): Promise<void> {
    this.seats.sendAll({ type: 'stop' });
    await this.seats.waitAllGone(graceMs);
  }

  private nodeKiller: NodeKiller | null = null;
  private readonly dinnerOver = new AbortController();

  /** Resolves after `ms`, or at once when the dinner is over. */
  private pause(ms: number): Promise<void> {
    const over = this.dinnerOver.signal;
    return new Promise((done) => {
      const timer = setTimeout(done, over.aborted ? 0 : ms);
      over.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
    });
  }

  setNodeKiller(killer: NodeKiller): void {
    this.nodeKiller = killer;
  }

  private scheduleFaults(): void {
    const { killPhilosopherAfterS, killNodeAfterS } = this.options;
    const at = (seconds: number, task: () => Promise<void>) =>
      this.faultTasks.push(this.pause(seconds * 1000).then(() => (this.stopping ? undefined : task())));
    if (killPhilosopherAfterS !== undefined) at(killPhilosopherAfterS, () => this.killPhilosopher());
    if (killNodeAfterS !== undefined && this.nodeKiller !== null) at(killNodeAfterS, () => this.killNode());
  }

  private onMessage(seat: Seat, message: PhilosopherMessage): void {
    const p = seat.index;
    switch (message.type) {
      case 'ready':
        seat.ready = true;
        this.clientIds[p] = message.clientId;
        this.log.sitDown(p, message.node);
        return;
      case 'took':
        return this.log.took(p, message, this.now());
      case 'released':
        return this.log.released(p, message.fork, message.holdMs);
      case 'start':
        return this.log.startMeal(p, message.forks, message.node, this.now());
      case 'end':
        this.log.endMeal(p, this.now());
        this.seats.send(seat, { type: 'reply', seq: message.seq, counts: this.log.snapshot() });
        return this.broadcastCounts();
      case 'trouble':
        return this.log.trouble(p, message.message, this.going ? this.now() : 0);
    }
  }

  private onExit(seat: Seat, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.going) return;
    this.log.leave(seat.index, this.now());
    if (!this.stopping && signal !== 'SIGKILL')
      this.log.trouble(seat.index, `its process exited (${signal ?? `code ${code}`})`, this.now());
    this.broadcastCounts();
  }

  /** The counts change at every meal: everyone hears of it, once per turn of the event loop. */
  private broadcastCounts(): void {
    if (this.broadcastPending) return;
    this.broadcastPending = true;
    setImmediate(() => {
      this.broadcastPending = false;
      this.seats.sendAll({ type: 'counts', ...this.log.snapshot() });
    });
  }

  /** kill -9 of a philosopher, one that is eating if one does within a few seconds. */
  private async killPhilosopher(): Promise<void> {
    const pickUntil = performance.now() + PICK_EATER_MS;
    const alive = () => this.seats.seats.filter((s) => !s.exited);
    const eater = () => alive().find((s) => this.log.isEating(s.index));
    let victim = eater();
    while (victim === undefined && performance.now() < pickUntil && !this.stopping) {
      await sleep(5);
      victim = eater();
    }
    // Nobody ate for a while (a slow machine): one that holds a fork, else anyone.
    victim ??= alive().find((s) => this.log.forksHeldBy(s.index).length > 0) ?? alive()[0];
    if (victim === undefined || this.stopping) return;
    const fault: KillPhilosopherFault = {
      type: 'kill-philosopher',
      philosopher: victim.index,
      pid: victim.pid,
      atMs: this.now(),
      wasEating: this.log.isEating(victim.index),
      forksHeld: this.log.forksHeldBy(victim.index),
      forksStuckMs: [],
      mealsAfterFreed: [],
    };
    this.faults.push(fault);
    await this.seats.kill(victim);
  }

  private async killNode(): Promise<void> {
    const killer = this.nodeKiller!;
    const leaderId = await killer.leaderId();
    const node = killer.nodes.find((n) => n.id === leaderId) ?? elementAt(killer.nodes, 0, 'node');
    const fault: KillNodeFault = {
      type: 'kill-node',
      node: node.id,
      address: node.tcpAddress,
      wasLeader: node.id === leaderId,
      atMs: this.now(),
      moved: [],
      firstMealAfterMs: null,
      mealsAfter: [],
    };
    this.faults.push(fault);
    await killer.kill(node.id);
  }

  /** Works out, from the history, what each fault did. */
  private finishFaults(elapsedMs: number): void {
    const finished = this.log.meals.filter((m) => m.finished && m.endMs <= elapsedMs);
    const countFrom = (fromMs: number) =>
      this.log.counts.map(
        (_, q) => finished.filter((m) => m.philosopher === q && m.startMs >= fromMs).length,
      );
    for (const fault of this.faults) {
      if (fault.type === 'kill-philosopher') {
        fault.forksStuckMs = fault.forksHeld.map((fork) => {
          const next = this.log.grants.find(
            (g) => g.fork === fork && g.philosopher !== fault.philosopher && g.atMs > fault.atMs,
          );
          const expiry = this.expiryWatch?.expiries.find(
            (e) => e.fork === fork && e.owner === this.clientIds[fault.philosopher] && e.atMs > fault.atMs,
          );
          return {
            fork,
            stuckMs: next === undefined ? null : next.atMs - fault.atMs,
            expiredAfterMs: expiry === undefined ? null : expiry.atMs - fault.atMs,
          };
        });
        const freedAt = Math.max(
          fault.atMs,
          ...fault.forksStuckMs.map((f) => fault.atMs + (f.stuckMs ?? Infinity)),
        );
        fault.mealsAfterFreed = countFrom(freedAt);
        continue;
      }
      const startsAfter = finished.filter((m) => m.startMs > fault.atMs).map((m) => m.startMs);
      fault.firstMealAfterMs = startsAfter.length === 0 ? null : Math.min(...startsAfter) - fault.atMs;
      fault.mealsAfter = countFrom(fault.atMs);
      fault.moved = this.movedAway(fault);
    }
  }

  /** Philosophers that used the killed node before the kill and ate through another node after it. */
  private movedAway(fault: KillNodeFault): { philosopher: number; to: string }[] {
    const moved: { philosopher: number; to: string }[] = [];
    for (let p = 0; p < this.options.philosophers; p++) {
      const changes = this.log.nodeChanges.filter((c) => c.philosopher === p);
      const before = changes.filter((c) => c.atMs <= fault.atMs).pop();
      const after = changes.find((c) => c.atMs > fault.atMs && c.node !== fault.address);
      if (before?.node === fault.address && after !== undefined)
        moved.push({ philosopher: p, to: after.node });
    }
    return moved;
  }
}
