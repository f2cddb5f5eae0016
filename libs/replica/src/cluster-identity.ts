import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { readClusterId, writeClusterId } from '@app/wal';

/**
 * The cluster this node belongs to. The node that bootstraps a cluster generates the id;
 * a joiner learns it from the cluster it joins and stores it (fsync'd) before it takes
 * part. Until then the id is null and the node neither sends nor accepts peer messages.
 */
export class ClusterIdentity {
  private readonly logger = new Logger(ClusterIdentity.name);
  private current: string | null = null;

  constructor(private readonly dataDir: string) {}

  get id(): string | null {
    return this.current;
  }

  /**
   * Reads the stored id. A bootstrapping node (the `leader` app that found no cluster among
   * its peers) that has none generates one, also for a data directory written before
   * clusters had an id.
   */
  async open(bootstrapping: boolean): Promise<string | null> {
    this.current = await readClusterId(this.dataDir);
    if (this.current === null && bootstrapping) {
      await this.adopt(randomUUID());
      this.logger.log(`generated cluster id ${this.current}`);
    }
    return this.current;
  }

  /** Stores the id learned from the cluster this node joins; a node never changes cluster. */
  async adopt(clusterId: string): Promise<void> {
    if (this.current === clusterId) return;
    if (this.current !== null)
      throw new Error(`this node belongs to cluster ${this.current}, not to ${clusterId}`);
    await writeClusterId(this.dataDir, clusterId);
    this.current = clusterId;
  }
}
