/** One meal as the table recorded it: both forks' fencing tokens, start and end on the table's clock. */
export interface MealRecord {
  philosopher: number;
  forks: { fork: number; fencingToken: number }[];
  /** Milliseconds since the run started, stamped by the table when the philosopher held both forks. */
  startMs: number;
  /** Stamped by the table before the philosopher released its forks (or when its process died). */
  endMs: number;
  /** False when the philosopher's process died during the meal. */
  finished: boolean;
}
