import { textRule } from './validation-rule';

/** The identity of a node's data directory, created with it (a UUID today; any short token is accepted). */
export const STORAGE_ID = textRule(/^[A-Za-z0-9-]{1,64}$/, '1-64 of A-Z a-z 0-9 -');
