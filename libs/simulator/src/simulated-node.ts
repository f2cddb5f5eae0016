import { LockStateMachine, type AppliedEntry, type LockCommand, type LockTable } from '@app/lock-table';
import {
  RaftNode,
  ReadyProcessor,
  type EntryApplier,
  type LogEntry,
  type Member,
  type NodeId,
  type PeerMessage,
  type PersistRequest,
  type RaftConfig,
  type Random,
  type Ready,
  type RecoveredState,
} from '@app/replicated-log';
import type { FailureLatch } from './failure-latch';
import type { NodeView, SafetyChecker } from './invariants';
import type { SimulatedDisk } from './simulated-disk';
import type { SimulatedNetwork } from './simulated-network';

/** A new leader's session grace: the election timeout's maximum, as on a node (ReplicaService). */
const SESSION_GRACE_MS = 300;

/** A server's membership record; every data directory a server gets is a new storage. */
export function memberOf(id: NodeId, storageId: string): Member {
  return { id, tcpAddress: `sim://${id}:tcp`, httpAddress: `sim://${id}:http`, storageId };
}

/**
 * A RaftNode whose Ready cycle records any error in the latch: the ReadyProcessor calls
 * these detached from the simulator, which must still see the failure.
 */
class LatchedRaftNode extends RaftNode<LockCommand> {
  constructor(
    config: RaftConfig,
    random: Random,
    recovered: RecoveredState<LockCommand>,
    private readonly latch: FailureLatch,
  ) {
    super(config, random, recovered);
  }

  override hasReady(): boolean {
    return this.latch.guard(() => super.hasReady());
  }

  override ready(): Ready<LockCommand> {
    return this.latch.guard(() => super.ready());
  }

  override advance(ready: Ready<LockCommand>): void {
    this.latch.guard(() => super.advance(ready));
  }
}

export interface NodeContext {
  network: SimulatedNetwork<LockCommand>;
  checker: SafetyChecker;
  latch: FailureLatch;
}

/**
 * One simulated server: a disk that outlives crashes, and per incarnation a RaftNode,
 * its ReadyProcessor and the node's own LockStateMachine, which applies committed
 * entries from index 1.
 */
export class SimulatedNode implements NodeView, EntryApplier<LockCommand> {
  incarnation = 0;
  /** how many times its data directory was wiped; names its current storage */
  wipes = 0;
  up = true;
  raft!: RaftNode<LockCommand>;
  processor!: ReadyProcessor<LockCommand>;
  machine!: LockStateMachine;

  constructor(
    readonly id: NodeId,
    readonly disk: SimulatedDisk<LockCommand>,
    private readonly config: (storageId: string) => RaftConfig,
    private readonly context: NodeContext,
  ) {}

  get storageId(): string {
    return `${this.id}-s${this.wipes}`;
  }

  get table(): LockTable {
    return this.machine.table;
  }

  get member(): Member {
    return memberOf(this.id, this.storageId);
  }

  /** Starts a new incarnation from what the disk recovered. */
  start(recovered: RecoveredState<LockCommand>, random: Random): void {
    this.incarnation++;
    this.up = true;
    this.context.network.setDown(this.id, false);
    this.raft = new LatchedRaftNode(this.config(this.storageId), random, recovered, this.context.latch);
    this.machine = new LockStateMachine(SESSION_GRACE_MS);
    const network = { send: (message: PeerMessage<LockCommand>) => this.send(message) };
    const storage = {
      persist: (request: PersistRequest<LockCommand>, onWritten?: () => void) =>
        this.context.latch.guard(() => this.disk.persist(request, onWritten)),
    };
    this.processor = new ReadyProcessor(this.raft, storage, network, this);
    // At once rather than later in the turn: the most eager schedule is the harshest test.
    this.processor.sendEarlyWith((task) => task());
    // A violation found while applying ends this node's cycle: the run fails with it.
    this.processor.reportFailuresTo((error) => this.context.latch.record(error));
  }

  /** The process dies between Ready cycles; the disk keeps what was synced. Returns lost writes. */
  crash(): number {
    this.up = false;
    this.context.network.setDown(this.id, true);
    return this.disk.crash();
  }

  /** While down: its data directory is replaced by an empty one, a new storage. */
  wipe(): void {
    this.disk.wipe();
    this.wipes++;
  }

  apply(entries: LogEntry<LockCommand>[]): void {
    this.context.latch.guard(() => this.machine.apply(entries, (applied) => this.check(applied)));
  }

  private check(applied: AppliedEntry): void {
    const { checker } = this.context;
    checker.locks.onApplied(this.id, this.incarnation, applied);
    if (checker.onApply(this.id, this.incarnation, applied.entry, applied.outcome))
      checker.tally.onCommitted(applied);
  }

  private send(message: PeerMessage<LockCommand>): void {
    this.context.latch.guard(() => {
      this.context.checker.onSend(message);
      this.context.network.send(message);
    });
  }
}
