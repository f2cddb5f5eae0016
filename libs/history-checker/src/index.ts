export * from './operation';
export * from './lock-model';
export * from './linearizability';
export * from './check-history';
export * from './follower-reads';
export * from './invariants';
export * from './history-record';
export * from './analyze-run';
