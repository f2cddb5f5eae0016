export * from './lock-command';
export * from './lock-outcome';
export * from './lock-event';
export * from './lock-state';
export * from './lock-table';
export * from './due-expirations';
export * from './constant-time-equal';
export * from './client-requests';
