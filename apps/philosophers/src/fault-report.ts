/** What happened when `--kill-philosopher-after` killed a philosopher's process. */
export interface KillPhilosopherFault {
  type: 'kill-philosopher';
  philosopher: number;
  pid: number;
  atMs: number;
  wasEating: boolean;
  forksHeld: number[];
  /**
   * Per fork it held: how long after the kill another philosopher was granted it, and how
   * long after the kill a watch of the fork saw the cluster free it because the dead
   * philosopher's session expired (null: never).
   */
  forksStuckMs: { fork: number; stuckMs: number | null; expiredAfterMs: number | null }[];
  /** Meals each philosopher started after the dead one's forks came free. */
  mealsAfterFreed: number[];
}

/** What happened when `--kill-node-after` killed a node of the embedded cluster. */
export interface KillNodeFault {
  type: 'kill-node';
  node: string;
  address: string;
  wasLeader: boolean;
  atMs: number;
  /** Philosophers that had been using that node and ate through another one afterwards. */
  moved: { philosopher: number; to: string }[];
  /** How long after the kill the first meal began (null: none did): the pause the failover caused. */
  firstMealAfterMs: number | null;
  mealsAfter: number[];
}

export type FaultReport = KillPhilosopherFault | KillNodeFault;
