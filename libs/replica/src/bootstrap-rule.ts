import { Logger } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { MessagePatterns, parseHostPort, type ClusterStatus } from '@app/protocol';
import { readClusterId } from '@app/wal';
import type { NodeOptions } from './node-options';

/** How long a peer has to say which cluster it belongs to. */
const ASK_TIMEOUT_MS = 3000;

/** Asks one peer which cluster it belongs to: its cluster id, or null if it has none or does not answer. */
export type ClusterIdProbe = (tcpAddress: string) => Promise<string | null>;

/**
 * The bootstrap rule. A `leader` whose data directory belongs to no cluster yet starts a
 * new cluster only if none of its configured peers (--peers) already belongs to one;
 * otherwise it joins theirs as a learner, through the peer that answered. So restarting
 * the leader app on an emptied data directory next to a living cluster never forks a
 * second cluster. Without --peers (the short form on a fresh machine) it bootstraps.
 */
export async function applyBootstrapRule(
  options: NodeOptions,
  probe: ClusterIdProbe = askClusterId,
): Promise<NodeOptions> {
  if (!options.bootstrap || options.peers.length === 0) return options;
  if ((await readClusterId(options.dataDir)) !== null) return options;
  const logger = new Logger('BootstrapRule');
  const answers = await Promise.all(
    options.peers.map(async (peer) => ({ peer, clusterId: await probe(peer) })),
  );
  const found = answers.find((answer) => answer.clusterId !== null);
  if (found === undefined) {
    logger.log(`no peer of ${options.peers.join(', ')} belongs to a cluster: bootstrapping a new one`);
    return options;
  }
  logger.warn(
    `this data directory belongs to no cluster, but peer ${found.peer} belongs to cluster ${found.clusterId}: ` +
      `joining it as a learner instead of bootstrapping a second cluster`,
  );
  return { ...options, bootstrap: false, join: found.peer };
}

async function askClusterId(tcpAddress: string): Promise<string | null> {
  const address = parseHostPort(tcpAddress);
  if (address === null) return null;
  const client = ClientProxyFactory.create({ transport: Transport.TCP, options: address });
  try {
    const status$ = client
      .send<ClusterStatus>(MessagePatterns.clusterStatus, {})
      .pipe(timeout(ASK_TIMEOUT_MS));
    const status = await firstValueFrom(status$).catch(() => null);
    return typeof status?.clusterId === 'string' ? status.clusterId : null;
  } finally {
    // ClientProxy.close() is typed `any`: a promise or nothing.
    await Promise.resolve(client.close() as unknown);
  }
}
