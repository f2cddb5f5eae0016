import { createInterface } from 'node:readline';
import type { LockClient } from '../lock-client';
import { executeCommand } from './execute-command';
import { formatResult } from './format';
import { parseLockCommand } from './lock-command';

export interface ReplOptions {
  /** Address shown in the prompt. */
  address: string;
  /** Print raw JSON responses instead of sentences. */
  json: boolean;
}

const REPL_HELP = `commands:
  preempt NAME    take the lock NAME (or say who holds it)
  release NAME    give back the lock NAME
  check NAME      who holds NAME
  list [PREFIX]   held locks, optionally only names starting with PREFIX
  status          the cluster as the answering node sees it
  help            this text
  quit, exit      leave (Ctrl-D too)`;

const QUIT_WORDS = new Set(['quit', 'exit']);

/** The interactive prompt. Errors are printed and the prompt continues; EOF or quit ends it. */
export async function runRepl(client: LockClient, options: ReplOptions): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: `latchkey ${options.address}> ` });
  // Without a listener readline only pauses on Ctrl-C, which would look like a hang.
  rl.on('SIGINT', () => rl.close());
  rl.prompt();
  // Lines are handled one at a time: piped input arrives faster than the answers.
  for await (const line of rl) {
    const words = line.trim().split(/\s+/).filter((word) => word.length > 0);
    if (words.length > 0 && QUIT_WORDS.has(words[0])) return rl.close();
    if (words.length > 0) await handleWords(client, words, options.json);
    rl.prompt();
  }
  // EOF (Ctrl-D) or Ctrl-C: end the line the prompt left open.
  process.stdout.write('\n');
}

async function handleWords(client: LockClient, words: string[], json: boolean): Promise<void> {
  if (words[0] === 'help') {
    console.log(REPL_HELP);
    return;
  }
  const parsed = parseLockCommand(words);
  if (!parsed.ok) {
    console.log(`${parsed.message} (type "help")`);
    return;
  }
  const outcome = await executeCommand(client, parsed.command);
  if (!outcome.ok) {
    console.log(`error (${outcome.failure.error}): ${outcome.failure.message}`);
    return;
  }
  console.log(json ? JSON.stringify(outcome.result.response) : formatResult(outcome.result, client.clientId));
}

