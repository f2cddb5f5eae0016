/** The messages between the table process and its philosopher processes (Node IPC). */

/** What a philosopher needs to sit down; sent by the table as the first message. */
export interface SeatConfig {
  index: number;
  philosophers: number;
  /** TCP addresses of the nodes, the philosopher's own node first, the others as fallbacks. */
  nodes: string[];
  runId: string;
  eatMs: number;
  thinkMs: number;
  sessionTtlMs: number;
  forkWaitMs: number;
}

/** Everyone's meal counts; `seated[i]` is false once philosopher i has left the table. */
export interface MealCounts {
  meals: number[];
  seated: boolean[];
}

export type TableMessage =
  | { type: 'seat'; config: SeatConfig }
  | { type: 'go' }
  | ({ type: 'counts' } & MealCounts)
  | { type: 'reply'; seq: number; counts: MealCounts }
  | { type: 'stop' };

/** A fork the philosopher was granted: its index, fencing token, and how long it waited. */
export interface TakenFork {
  fork: number;
  fencingToken: number;
  waitMs: number;
}

export type PhilosopherMessage =
  | { type: 'ready'; clientId: string; node: string }
  | ({ type: 'took' } & TakenFork)
  | { type: 'released'; fork: number; holdMs: number }
  /** Both forks are held: the table stamps the start of the meal. */
  | { type: 'start'; forks: TakenFork[]; node: string }
  /** The meal is over (the forks are still held): the table stamps the end and replies. */
  | { type: 'end'; seq: number }
  | { type: 'trouble'; message: string };
