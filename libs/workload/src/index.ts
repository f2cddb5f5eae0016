export { awaitConvergence, observeRoles } from './cluster-probe';
export { performLockCall } from './http-lock-call';
export type { LockCall } from './http-lock-call';
export { finalReads, runRecordedWorkload } from './recorded-workload';
export { SeededRandom } from './seeded-random';
export type { WorkloadOptions } from './recorded-workload';
