export * from './lock-client';
export * from './lock-client-error';
export * from './lock-client-options';
export * from './lock-session';
export * from './request-options';
export * from './default-client-id';
