import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for';

const SCRIPT = join(__dirname, 'session-holder.js');

interface KeepaliveReport {
  sentAt: number;
  status?: number;
  error?: string;
}

/**
 * `session-holder.js` run as its own OS process: it opens a session, takes a lock with
 * it and keeps the session alive until killed. Stopped by its PID.
 */
export class SessionHolderProcess {
  readonly keepalives: KeepaliveReport[] = [];
  private stderrText = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly sessionId: string,
    readonly fencingToken: number,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts the holder and resolves with its one stdout line once it holds the lock. */
  static async start(
    baseUrl: string,
    clientId: string,
    lockName: string,
    ttlMs: number,
  ): Promise<SessionHolderProcess> {
    const child = spawn(process.execPath, [SCRIPT, baseUrl, clientId, lockName, String(ttlMs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const pending: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      pending.push(chunk.toString('utf8'));
    });
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code ?? -1));
    try {
      const line = await waitFor(
        'the session holder to print its grant',
        () => {
          if (exitCode !== undefined) throw new Error(`session-holder exited ${exitCode}: ${stderr}`);
          const newline = stdout.indexOf('\n');
          return newline >= 0 ? stdout.slice(0, newline) : undefined;
        },
        { timeoutMs: 20_000 },
      );
      const { sessionId, fencingToken } = JSON.parse(line) as { sessionId: string; fencingToken: number };
      const holder = new SessionHolderProcess(child, sessionId, fencingToken);
      holder.parse(pending.splice(0).join(''));
      child.stderr.removeAllListeners('data');
      child.stderr.on('data', (chunk: Buffer) => holder.parse(chunk.toString('utf8')));
      return holder;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** The stderr seen so far (keepalive reports and errors). */
  get stderr(): string {
    return this.stderrText;
  }

  /**
   * Waits for a keepalive that is sent from now on and acknowledged (200), and returns
   * when it was sent: the leader heard the session no earlier than that.
   */
  async nextAcknowledgedKeepalive(timeoutMs = 10_000): Promise<number> {
    const after = Date.now();
    return waitFor(
      'an acknowledged keepalive from the session holder',
      () => {
        if (this.exited) throw new Error(`session-holder exited: ${this.stderrText}`);
        const acked = this.keepalives.find((k) => k.sentAt >= after && k.status === 200);
        return acked?.sentAt;
      },
      { timeoutMs, intervalMs: 5 },
    );
  }

  /** kill -9 by PID; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((done) => this.child.once('exit', () => done()));
    process.kill(this.pid, 'SIGKILL');
    await gone;
  }

  private buffered = '';

  private parse(text: string): void {
    this.stderrText += text;
    this.buffered += text;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      try {
        const parsed = JSON.parse(line) as { keepalive?: KeepaliveReport };
        if (parsed.keepalive) this.keepalives.push(parsed.keepalive);
      } catch {
        // not a report: kept in stderrText only
      }
    }
  }
}
