import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

const KILL_AFTER_MS = 5000;

export interface Member {
  name: string;
  script: string;
  args: string[];
  logFile: string;
  process: ChildProcess | null;
}

/**
 * The processes a launcher started, each logging to its own file. Every one of them is
 * stopped by its PID: SIGTERM, then SIGKILL if it lingers.
 */
export class ProcessGroup {
  private readonly members = new Map<string, Member>();
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (member: Member, how: string) => void = () => undefined,
  ) {}

  start(name: string, script: string, args: string[]): Member {
    const member: Member = { name, script, args, logFile: join(this.logDir, `${name}.log`), process: null };
    this.members.set(name, member);
    this.launch(member);
    return member;
  }

  get(name: string): Member {
    const member = this.members.get(name);
    if (member === undefined) throw new Error(`no process ${name}`);
    return member;
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.members.values()].map((member) => stopMember(member)));
  }

  private launch(member: Member): void {
    const log = openSync(member.logFile, 'a');
    const child = spawn(process.execPath, [member.script, ...member.args], {
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1' },
    });
    closeSync(log);
    member.process = child;
    child.on('exit', (code, signal) => {
      if (member.process === child) member.process = null;
      if (!this.stopping) this.onUnexpectedExit(member, signal ?? `code ${code}`);
    });
  }
}

async function stopMember(member: Member): Promise<void> {
  const child = member.process;
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  await exited;
  clearTimeout(timer);
}
