import type { LockCommand, LockOutcome, LockTable } from '@app/lock-table';
import type { NodeId } from '@app/replicated-log';
import { check } from './simulation-failure';

/** The commands the simulated clients send: plain preempts and releases. */
export type ClientLockCommand = Extract<LockCommand, { type: 'preempt' | 'release' }>;

interface Holder {
  owner: string;
  fencingToken: number;
}

/** What one incarnation of one node's lock table must look like, rebuilt from outcomes alone. */
interface Shadow {
  incarnation: number;
  holders: Map<string, Holder>;
  /** per lock, the highest fencing token ever granted by this incarnation */
  lastToken: Map<string, number>;
}

/**
 * Invariant (5), lock mutual exclusion: per lock, a grant to a new owner only when the lock
 * is free, with a fencing token above every earlier one; a repeat grant to the holder keeps
 * its token; and no fencing token ever names two owners, on any node.
 */
export class LockExclusion {
  private readonly shadows = new Map<NodeId, Shadow>();
  /** `${lock}#${token}` -> owner, across every node and incarnation */
  private readonly tokenOwners = new Map<string, string>();

  onOutcome(
    nodeId: NodeId,
    incarnation: number,
    index: number,
    command: ClientLockCommand,
    outcome: LockOutcome,
  ): void {
    const shadow = this.shadowOf(nodeId, incarnation);
    const where = `${nodeId} applying ${JSON.stringify(command)} at ${index} -> ${JSON.stringify(outcome)}`;
    const holder = shadow.holders.get(command.name);
    switch (outcome.type) {
      case 'granted':
        return this.onGranted(shadow, index, command, outcome, where);
      case 'lockHeld':
        check(
          command.type === 'preempt' && outcome.name === command.name,
          `${where}: lockHeld for another lock or command`,
        );
        check(
          holder !== undefined && holder.owner === outcome.owner && holder.owner !== command.clientId,
          `${where}: lockHeld but holder is ${JSON.stringify(holder)}`,
        );
        check(
          holder.fencingToken === outcome.fencingToken,
          `${where}: lockHeld reports token ${outcome.fencingToken}, holder has ${holder.fencingToken}`,
        );
        return;
      case 'released':
        check(
          command.type === 'release' && outcome.name === command.name,
          `${where}: released for another lock or command`,
        );
        check(
          holder?.owner === command.clientId && holder.fencingToken === outcome.fencingToken,
          `${where}: released but holder is ${JSON.stringify(holder)}`,
        );
        shadow.holders.delete(command.name);
        return;
      case 'notHeld':
        check(
          command.type === 'release' && outcome.name === command.name && holder === undefined,
          `${where}: notHeld but holder is ${JSON.stringify(holder)}`,
        );
        return;
      case 'notOwner':
        check(
          command.type === 'release' && outcome.name === command.name,
          `${where}: notOwner for another lock or command`,
        );
        check(
          holder !== undefined && holder.owner === outcome.owner && holder.owner !== command.clientId,
          `${where}: notOwner but holder is ${JSON.stringify(holder)}`,
        );
        return;
      default:
        // The workload uses no sessions, TTLs or queues, so nothing else may come back.
        check(false, `${where}: unexpected outcome for a plain preempt/release`);
    }
  }

  /** The table itself must hold exactly what the outcomes granted and did not release. */
  checkTable(nodeId: NodeId, incarnation: number, table: LockTable): void {
    const shadow = this.shadowOf(nodeId, incarnation);
    const listed = table.list('', Number.MAX_SAFE_INTEGER);
    check(
      listed.length === shadow.holders.size,
      `${nodeId}: lock table lists ${listed.length} locks, outcomes left ${shadow.holders.size}`,
    );
    for (const lock of listed) {
      const holder = shadow.holders.get(lock.name);
      check(
        holder?.owner === lock.owner && holder.fencingToken === lock.fencingToken,
        `${nodeId}: lock ${lock.name} held by ${lock.owner}/${lock.fencingToken} in the table, outcomes say ${JSON.stringify(holder)}`,
      );
    }
  }

  private onGranted(
    shadow: Shadow,
    index: number,
    command: ClientLockCommand,
    outcome: Extract<LockOutcome, { type: 'granted' }>,
    where: string,
  ): void {
    check(
      command.type === 'preempt' && outcome.name === command.name && outcome.owner === command.clientId,
      `${where}: granted to someone else than the preempting client`,
    );
    const holder = shadow.holders.get(command.name);
    if (holder !== undefined) {
      // Only the holder may be granted again, and its retry keeps the token.
      check(
        holder.owner === outcome.owner,
        `${where}: granted while ${holder.owner} holds it (mutual exclusion broken)`,
      );
      check(
        holder.fencingToken === outcome.fencingToken,
        `${where}: repeat grant changed the token from ${holder.fencingToken}`,
      );
      return;
    }
    const last = shadow.lastToken.get(command.name) ?? 0;
    check(outcome.fencingToken === index, `${where}: fencing token is not the granting entry's index`);
    check(
      outcome.fencingToken > last,
      `${where}: fencing token ${outcome.fencingToken} not above the previous ${last}`,
    );
    shadow.lastToken.set(command.name, outcome.fencingToken);
    shadow.holders.set(command.name, { owner: outcome.owner, fencingToken: outcome.fencingToken });
    const key = `${command.name}#${outcome.fencingToken}`;
    const known = this.tokenOwners.get(key);
    check(
      known === undefined || known === outcome.owner,
      `${where}: token ${key} was granted to ${known} elsewhere`,
    );
    this.tokenOwners.set(key, outcome.owner);
  }

  /** A restarted node rebuilds its table from index 1, so its shadow starts empty too. */
  private shadowOf(nodeId: NodeId, incarnation: number): Shadow {
    let shadow = this.shadows.get(nodeId);
    if (shadow === undefined || shadow.incarnation !== incarnation) {
      shadow = { incarnation, holders: new Map(), lastToken: new Map() };
      this.shadows.set(nodeId, shadow);
    }
    return shadow;
  }
}
