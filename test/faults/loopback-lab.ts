import { connect, createServer, type Server, type Socket } from 'node:net';

/** What a scenario may do to the links between nodes, whichever lab carries it out. */
export interface LinkCutter {
  /** drops everything from host `from` to host `to` (one way) */
  cut(from: number, to: number): void;
  /** cuts both directions between every host of `a` and every host of `b` */
  partition(a: number[], b: number[]): void;
  heal(): void;
  describeCuts(): string[];
}

const REPLICATION_PATTERN = 'replication.message';
const FRAME_HEAD = /^(\d{1,10})#/;

/**
 * The fallback where network namespaces cannot be created: one TCP proxy per node on
 * loopback. Each node binds a private port and advertises its proxy's port (--advertise),
 * so every peer connection to it passes its proxy. The proxy reads the transport's
 * `length#json` frames and drops the replication messages whose sender is cut off from
 * this node (the envelope names its sender), so a cut can be one way or both, as with
 * nftables. Clients talk HTTP to the nodes directly and are never cut off.
 */
export class LoopbackLab implements LinkCutter {
  private readonly cuts = new Set<string>();
  private readonly servers = new Map<number, Server>();
  private readonly sockets = new Set<Socket>();
  /** the advertised (proxy) address of each host */
  private readonly hostOf = new Map<string, number>();
  /** replication messages dropped because their link was cut: proof that cuts took effect */
  droppedMessages = 0;

  /** Starts host `i`'s proxy: it listens on `proxyPort` and forwards to the node's `nodePort`. */
  async addHost(i: number, proxyPort: number, nodePort: number): Promise<void> {
    this.hostOf.set(`127.0.0.1:${proxyPort}`, i);
    const server = createServer((inbound) => this.forward(i, inbound, nodePort));
    this.servers.set(i, server);
    await new Promise<void>((done) => server.listen(proxyPort, '127.0.0.1', done));
  }

  cut(from: number, to: number): void {
    this.cuts.add(`${from}>${to}`);
  }

  partition(a: number[], b: number[]): void {
    for (const x of a) for (const y of b) this.cuts.add(`${x}>${y}`).add(`${y}>${x}`);
  }

  heal(): void {
    this.cuts.clear();
  }

  describeCuts(): string[] {
    return [...this.cuts].sort();
  }

  async destroy(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      [...this.servers.values()].map((server) => new Promise<void>((done) => server.close(() => done()))),
    );
  }

  private forward(to: number, inbound: Socket, nodePort: number): void {
    const outbound = connect(nodePort, '127.0.0.1');
    this.sockets.add(inbound).add(outbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
      this.sockets.delete(inbound);
      this.sockets.delete(outbound);
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
    outbound.pipe(inbound);
    // Frames count UTF-16 code units, as the transport's own reader does: read text, not bytes.
    inbound.setEncoding('utf8');
    let buffered = '';
    inbound.on('data', (text: string) => {
      buffered += text;
      for (let head = FRAME_HEAD.exec(buffered); head; head = FRAME_HEAD.exec(buffered)) {
        const end = head[0].length + Number(head[1]);
        if (buffered.length < end) return;
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end);
        if (!this.dropped(to, frame.slice(head[0].length))) outbound.write(frame);
      }
      // Not a frame at all: pass it on untouched, the node answers garbage as it always does.
      if (buffered.length > 0 && !/^\d{0,10}$/.test(buffered) && !FRAME_HEAD.test(buffered)) {
        outbound.write(buffered);
        buffered = '';
      }
    });
  }

  private dropped(to: number, json: string): boolean {
    if (this.cuts.size === 0 || !json.includes(REPLICATION_PATTERN)) return false;
    const packet = JSON.parse(json) as { pattern?: unknown; data?: { fromTcpAddress?: unknown } };
    if (packet.pattern !== REPLICATION_PATTERN || typeof packet.data?.fromTcpAddress !== 'string')
      return false;
    const from = this.hostOf.get(packet.data.fromTcpAddress);
    const cut = from !== undefined && this.cuts.has(`${from}>${to}`);
    if (cut) this.droppedMessages++;
    return cut;
  }
}
