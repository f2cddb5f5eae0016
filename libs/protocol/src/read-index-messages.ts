/** The answer to a ReadIndex request: reads reflecting `index` are linearizable. */
export interface ReadIndexResponse {
  index: number;
}
