import { fork, type ChildProcess } from 'node:child_process';
import type { PhilosopherMessage, SeatConfig, TableMessage } from './ipc-messages';

export interface Seat {
  index: number;
  child: ChildProcess;
  pid: number;
  ready: boolean;
  exited: boolean;
}

/**
 * The philosopher processes: each is this same program started with `--role philosopher`
 * (a Node child process with an IPC channel to the table). Stopped by PID.
 */
export class PhilosopherSeats {
  readonly seats: Seat[] = [];

  constructor(
    private readonly script: string,
    private readonly onMessage: (seat: Seat, message: PhilosopherMessage) => void,
    private readonly onExit: (seat: Seat, code: number | null, signal: NodeJS.Signals | null) => void,
  ) {}

  seat(config: SeatConfig): Seat {
    const child = fork(this.script, ['--role', 'philosopher'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (child.pid === undefined) throw new Error(`could not start philosopher ${config.index}`);
    const seat: Seat = { index: config.index, child, pid: child.pid, ready: false, exited: false };
    child.on('message', (message: PhilosopherMessage) => this.onMessage(seat, message));
    child.once('exit', (code, signal) => {
      seat.exited = true;
      this.onExit(seat, code, signal);
    });
    // A philosopher that died has a closed channel; a send to it must not throw.
    child.on('error', () => undefined);
    this.send(seat, { type: 'seat', config });
    this.seats.push(seat);
    return seat;
  }

  send(seat: Seat, message: TableMessage): void {
    if (!seat.exited && seat.child.connected) seat.child.send(message);
  }

  sendAll(message: TableMessage): void {
    for (const seat of this.seats) this.send(seat, message);
  }

  get running(): Seat[] {
    return this.seats.filter((s) => !s.exited);
  }

  /** kill -9 of one philosopher; resolves when its process is gone. */
  async kill(seat: Seat): Promise<void> {
    if (seat.exited) return;
    const gone = new Promise<void>((done) => seat.child.once('exit', () => done()));
    seat.child.kill('SIGKILL');
    await gone;
  }

  /** Waits up to `graceMs` for every philosopher to leave, then kills the rest. */
  async waitAllGone(graceMs: number): Promise<void> {
    const timer = setTimeout(() => this.killAllNow(), graceMs);
    await Promise.all(
      this.running.map((seat) => new Promise<void>((done) => seat.child.once('exit', () => done()))),
    );
    clearTimeout(timer);
  }

  killAllNow(): void {
    for (const seat of this.running) seat.child.kill('SIGKILL');
  }
}
