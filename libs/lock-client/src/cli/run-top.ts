import { setTimeout as sleep } from 'node:timers/promises';
import type { LockClient } from '../lock-client';
import { LockClientError } from '../lock-client-error';
import { ExitCode } from './exit-codes';
import { formatTop } from './format-top';
import { printJsonError } from './output';

const DEFAULT_INTERVAL_MS = 1000;
/** Clear the screen and go home, so each frame replaces the last. */
const CLEAR = '\x1b[2J\x1b[H';

/**
 * `top`: in a terminal, redraws the busiest locks every interval until Ctrl-C; into a pipe,
 * prints one frame and exits, so scripts and logs get text rather than escape codes.
 */
export async function runTop(
  client: LockClient,
  options: { limit?: number; intervalMs?: number },
  live = process.stdout.isTTY === true,
): Promise<ExitCode> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    do {
      const frame = await client.lockActivity(options.limit).then(
        (response) => formatTop(response, client.clientId),
        (err: unknown) => {
          if (!(err instanceof LockClientError)) throw err;
          return err;
        },
      );
      if (frame instanceof LockClientError) {
        if (!live) {
          printJsonError({ error: frame.code, message: frame.message });
          return ExitCode.error;
        }
        // A live view keeps going through a failover; it says what it last heard.
        process.stdout.write(`${CLEAR}no answer (${frame.code}): ${frame.message}\n`);
      } else {
        process.stdout.write(`${live ? CLEAR : ''}${frame}\n`);
      }
      if (!live) return ExitCode.ok;
      if (stop.signal.aborted) break;
      process.stdout.write(
        `\nrefreshing every ${options.intervalMs ?? DEFAULT_INTERVAL_MS} ms; Ctrl-C quits\n`,
      );
      await sleep(options.intervalMs ?? DEFAULT_INTERVAL_MS, undefined, { signal: stop.signal }).catch(
        () => undefined,
      );
    } while (!stop.signal.aborted);
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
