import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import type { LockClient } from '../lock-client';
import { LockClientError } from '../lock-client-error';
import type { LockSession } from '../lock-session';
import { executeCommand } from './execute-command';
import type { RequestCommand } from './execute-command';
import { formatResult, formatWatchEvent } from './format';
import { parseLockCommand } from './lock-command';

export interface ReplOptions {
  /** Address shown in the prompt. */
  address: string;
  /** Print raw JSON responses instead of sentences. */
  json: boolean;
}

export const REPL_HELP = `commands:
  preempt NAME [--wait MS] [--ttl MS]
                      take the lock NAME (or say who holds it); --wait queues for up to
                      MS ms while it is held; --ttl frees it MS ms after the grant
  release NAME        give back the lock NAME
  check NAME          who holds NAME, and how many wait for it
  list [PREFIX]       held locks, optionally only names starting with PREFIX
  status              the cluster as the answering node sees it, with its log figures
  top [N]             the N (default 20) busiest locks: grants, holder, hold and wait times
  session open [--ttl MS]
                      open a session (TTL 1000-600000 ms, default 10000) and keep it alive
                      in the background; preempt and release then use it, and its locks
                      are freed when it ends
  session close       close the open session, releasing its locks
  watch NAME          print each change to NAME as it happens, until Ctrl-C
  help                this text
  quit, exit          leave (Ctrl-D too); an open session is closed first
preempt and release take --session ID to use another session than the open one.`;

const QUIT_WORDS = new Set(['quit', 'exit']);

/** The interactive prompt. Errors are printed and the prompt continues; EOF or quit ends it. */
export async function runRepl(client: LockClient, options: ReplOptions): Promise<void> {
  await new Repl(client, options).run();
}

class Repl {
  private readonly rl: Interface;
  private session: LockSession | null = null;
  /** A command is running: the prompt comes back when it is done. */
  private busy = false;
  /** Set while a watch runs: Ctrl-C ends the watch instead of the prompt. */
  private interrupt: (() => void) | null = null;

  constructor(
    private readonly client: LockClient,
    private readonly options: ReplOptions,
  ) {
    this.rl = createInterface({ input: process.stdin, output: process.stdout, prompt: this.promptText() });
    // Without a listener readline only pauses on Ctrl-C, which would look like a hang.
    this.rl.on('SIGINT', () => (this.interrupt ? this.interrupt() : this.rl.close()));
  }

  async run(): Promise<void> {
    this.rl.prompt();
    let quit = false;
    // Lines are handled one at a time: piped input arrives faster than the answers.
    for await (const line of this.rl) {
      const words = line
        .trim()
        .split(/\s+/)
        .filter((word) => word.length > 0);
      if (words[0] !== undefined && QUIT_WORDS.has(words[0])) {
        quit = true;
        this.rl.close();
        break;
      }
      this.busy = true;
      try {
        if (words.length > 0) await this.handleWords(words);
      } finally {
        this.busy = false;
      }
      this.rl.prompt();
    }
    // EOF (Ctrl-D) or Ctrl-C: end the line the prompt left open.
    if (!quit) process.stdout.write('\n');
    await this.closeSessionOnExit();
  }

  private async handleWords(words: string[]): Promise<void> {
    if (words[0] === 'help') {
      console.log(REPL_HELP);
      return;
    }
    const parsed = parseLockCommand(words);
    if (!parsed.ok) {
      console.log(`${parsed.message} (type "help")`);
      return;
    }
    const { command } = parsed;
    if (command.op === 'watch') return this.watch(command.name);
    await this.execute(command);
  }

  private async execute(command: RequestCommand): Promise<void> {
    const outcome = await executeCommand(this.client, command, { session: this.session });
    if (!outcome.ok) {
      console.log(`error (${outcome.failure.error}): ${outcome.failure.message}`);
      return;
    }
    const { result } = outcome;
    if (result.op === 'session-open') this.adopt(result.session);
    if (result.op === 'session-close' && result.response.sessionId === this.session?.sessionId) this.drop();
    console.log(
      this.options.json ? JSON.stringify(result.response) : formatResult(result, this.client.clientId),
    );
  }

  /** Prints each event until Ctrl-C (or SIGINT) or until the stream fails. */
  private watch(name: string): Promise<void> {
    if (!this.options.json) console.log(`watching ${name}; Ctrl-C stops`);
    return new Promise<void>((resolve) => {
      const stop = () => {
        this.interrupt = null;
        process.off('SIGINT', stop);
        subscription.unsubscribe();
        resolve();
      };
      this.interrupt = stop;
      // When stdin is not a terminal, Ctrl-C reaches the process as a signal instead.
      process.on('SIGINT', stop);
      const subscription = this.client.watch(name).subscribe({
        next: (event) =>
          console.log(
            this.options.json ? JSON.stringify(event) : formatWatchEvent(event, this.client.clientId),
          ),
        error: (err: unknown) => {
          const code = err instanceof LockClientError ? err.code : 'internal';
          console.log(`watch ended: error (${code}): ${err instanceof Error ? err.message : String(err)}`);
          stop();
        },
        complete: stop,
      });
    });
  }

  private adopt(session: LockSession): void {
    this.session = session;
    this.rl.setPrompt(this.promptText());
    session.once('lost', (reason) => {
      if (this.session !== session) return;
      this.drop();
      // Printed between prompts: start on a fresh line when the prompt is showing.
      process.stdout.write(`${this.busy ? '' : '\n'}session ${session.shortId} lost: ${reason}\n`);
      if (!this.busy) this.rl.prompt(true);
    });
  }

  private drop(): void {
    this.session = null;
    this.rl.setPrompt(this.promptText());
  }

  private async closeSessionOnExit(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    this.drop();
    try {
      await session.close();
      console.log(`closed session ${session.shortId}; its locks are released`);
    } catch (err: unknown) {
      if (!(err instanceof LockClientError)) throw err;
      console.log(
        `error (${err.code}) closing session ${session.shortId}: ${err.message}; it expires after ${session.ttlMs} ms`,
      );
    }
  }

  private promptText(): string {
    const session = this.session ? ` (session ${this.session.shortId})` : '';
    return `latchkey ${this.options.address}${session}> `;
  }
}
