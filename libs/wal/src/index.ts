export * from './wal-record';
export * from './wal-corruption.error';
export * from './wal-replay';
export * from './log-rebuild';
export * from './file-durable-storage';
export * from './storage-identity';
export * from './cluster-id-file';
