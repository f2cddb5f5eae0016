import { execFileSync } from 'node:child_process';

/**
 * Separate "hosts" on one machine: each node gets its own network namespace with its own
 * address on a bridge this lab creates, and links between nodes are cut with nftables
 * drop rules inside the receiving namespace (one direction per rule, so a cut can be one
 * way or both). Clients stay in the root namespace, on the bridge's own address, and are
 * never cut off: partitions are between nodes, as in Jepsen and etcd's robustness tests.
 */
export class NetworkLab {
  /** directed cuts "from>to": packets from `from` are dropped at `to` */
  private readonly cuts = new Set<string>();

  private constructor(
    private readonly prefix: string,
    private readonly subnet: string,
    public size: number,
  ) {}

  /** Whether this machine lets us create namespaces and nftables rules (root, iproute2, nft). */
  static available(): boolean {
    const probe = `lkprobe${process.pid % 100000}`;
    const ok =
      tryRun(['ip', 'netns', 'add', probe]) &&
      tryRun(['ip', 'netns', 'exec', probe, 'nft', 'list', 'ruleset']);
    tryRun(['ip', 'netns', 'del', probe]);
    return ok;
  }

  /** Creates the bridge and `size` namespaces; `tag` keeps names unique per run (interface names max 15 chars). */
  static create(tag: number, size: number): NetworkLab {
    const prefix = `lk${tag % 100000}`;
    const subnet = `10.${200 + (tag % 50)}.${tag % 250}`;
    const lab = new NetworkLab(prefix, subnet, size);
    run(['ip', 'link', 'add', lab.bridge, 'type', 'bridge']);
    run(['ip', 'addr', 'add', `${subnet}.1/24`, 'dev', lab.bridge]);
    run(['ip', 'link', 'set', lab.bridge, 'up']);
    for (let i = 1; i <= size; i++) lab.addHost(i);
    return lab;
  }

  get bridge(): string {
    return `${this.prefix}br`;
  }

  namespace(i: number): string {
    return `${this.prefix}n${i}`;
  }

  address(i: number): string {
    return `${this.subnet}.${10 + i}`;
  }

  /** Adds host `i` (1-based): a namespace, a veth pair into the bridge, and an empty filter table. */
  addHost(i: number): void {
    this.size = Math.max(this.size, i);
    const ns = this.namespace(i);
    const veth = `${this.prefix}v${i}`;
    run(['ip', 'netns', 'add', ns]);
    run(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run(['ip', 'link', 'set', veth, 'master', this.bridge, 'up']);
    run(['ip', '-n', ns, 'addr', 'add', `${this.address(i)}/24`, 'dev', 'eth0']);
    run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    nft(
      ns,
      'table inet lkfault {\n chain input {\n  type filter hook input priority 0; policy accept;\n }\n}\n',
    );
  }

  /** Drops every packet from host `from` to host `to` (one way). */
  cut(from: number, to: number): void {
    this.cuts.add(`${from}>${to}`);
    this.apply(to);
  }

  /** Cuts both directions between every host of `a` and every host of `b`. */
  partition(a: number[], b: number[]): void {
    for (const x of a) for (const y of b) this.cuts.add(`${x}>${y}`).add(`${y}>${x}`);
    for (let i = 1; i <= this.size; i++) this.apply(i);
  }

  heal(): void {
    this.cuts.clear();
    for (let i = 1; i <= this.size; i++) this.apply(i);
  }

  describeCuts(): string[] {
    return [...this.cuts].sort();
  }

  /** Rewrites host `to`'s input chain from the cut set. */
  private apply(to: number): void {
    const sources = [...this.cuts]
      .filter((c) => c.endsWith(`>${to}`))
      .map((c) => this.address(Number(c.split('>')[0])));
    const rule =
      sources.length === 0 ? '' : `add rule inet lkfault input ip saddr { ${sources.join(', ')} } drop\n`;
    nft(this.namespace(to), `flush chain inet lkfault input\n${rule}`);
  }

  /** Deletes every namespace and the bridge (best effort: called on every exit path). */
  destroy(): void {
    for (let i = 1; i <= this.size; i++) tryRun(['ip', 'netns', 'del', this.namespace(i)]);
    tryRun(['ip', 'link', 'del', this.bridge]);
  }

  /** `ip netns exec <ns>` prefix for a command that must run inside host i. */
  execPrefix(i: number): string[] {
    return ['ip', 'netns', 'exec', this.namespace(i)];
  }
}

function run([file, ...args]: string[]): void {
  if (file === undefined) throw new Error('no command to run');
  execFileSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function tryRun(argv: string[]): boolean {
  try {
    run(argv);
    return true;
  } catch {
    return false;
  }
}

function nft(ns: string, script: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input: script,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}
