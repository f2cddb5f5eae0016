import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Records the real path of every file or directory a FileHandle fsyncs from now on, in
 * order, and passes each call on to the real `sync`. FileHandle is not exported, so the spy
 * sits on the prototype of a handle opened just for that; `jest.restoreAllMocks()` removes it.
 */
export async function recordSyncs(): Promise<string[]> {
  const probe = await fsp.open(os.tmpdir(), 'r');
  const prototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const synced: string[] = [];
  const real = prototype.sync;
  jest.spyOn(prototype, 'sync').mockImplementation(function (this: fsp.FileHandle) {
    synced.push(fs.readlinkSync(`/proc/self/fd/${this.fd}`));
    return real.call(this);
  });
  return synced;
}

/** The paths of `dir` and everything in it that this process holds open (Linux: /proc/self/fd). */
export function openPathsUnder(dir: string): string[] {
  const root = fs.realpathSync(dir);
  const open: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the descriptor readdir itself used, closed by now
    }
    if (target === root || target.startsWith(`${root}${path.sep}`)) open.push(target);
  }
  return open;
}

/**
 * A spy on one method of every FileHandle (FileHandle is not exported, so it sits on the
 * prototype of a handle opened just for that); `jest.restoreAllMocks()` removes it.
 */
export async function spyOnFileHandle(method: 'sync' | 'write'): Promise<jest.SpyInstance> {
  const probe = await fsp.open(os.tmpdir(), 'r');
  const spy = jest.spyOn(Object.getPrototypeOf(probe) as fsp.FileHandle, method);
  await probe.close();
  return spy;
}
