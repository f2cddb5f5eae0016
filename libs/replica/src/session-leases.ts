// Moved to the Nest-free core with the rest of the state machine (libs/lock-table).
export { SessionLeases } from '@app/lock-table';
