/** Node identifiers are the operator-chosen names (n1, n2, ...). */
export type NodeId = string;
/** Raft terms start at 0 (no term yet) and only grow. */
export type Term = number;
/** Log indexes start at 1; 0 means "before the first entry". */
export type LogIndex = number;
