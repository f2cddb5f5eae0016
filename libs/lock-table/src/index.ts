export * from './lock-command';
export * from './lock-outcome';
export * from './lock-state';
export * from './lock-table';
