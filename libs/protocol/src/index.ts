export * from './message-patterns';
export * from './lock-name';
export * from './lock-messages';
export * from './cluster-messages';
export * from './rpc-error';
export * from './address';
export * from './session-messages';
export * from './read-index-messages';
