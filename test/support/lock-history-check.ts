import type { Grant } from './cluster-state';
import type { Hold } from './lock-load';
import { defined } from './defined';

/**
 * Safety of one lock's acknowledged holds, from the client side only.
 *
 * A grant takes effect at some instant between the first send of its preempt and its 200
 * (grantInvokedAt..grantAckedAt); a release between the first send of the release and its
 * 200 (releaseInvokedAt..releaseAckedAt; never, if it was never sent). Fencing tokens are log
 * indexes, so the grant that took effect later has the larger token. For two acknowledged
 * holds A and B of the same lock with A.token < B.token, a correct service therefore
 * needs A's release to take effect before B's grant, which is possible only if
 *
 *   (1) B.grantAckedAt > A.grantInvokedAt   (B was not granted before A even asked), and
 *   (2) A.releaseInvokedAt !== null and B.grantAckedAt > A.releaseInvokedAt
 *       (B was not told "granted" before A started to let go).
 *
 * Every violation of (1) or (2) is a real bug (sound: no false alarms, whatever the
 * network did), and two holds with the same token is one too. Holds whose release was sent
 * but never answered are covered by (2) as well: a larger token may only have been granted
 * after that release was sent. A hold whose release was never sent must never be followed
 * by a larger acknowledged token. The pairs are checked all against all (a few hundred holds).
 */
export function lockHistoryViolations(holds: Hold[]): string[] {
  const violations: string[] = [];
  const byName = new Map<string, Hold[]>();
  for (const hold of holds) byName.set(hold.name, [...(byName.get(hold.name) ?? []), hold]);
  for (const [name, list] of byName) {
    const sorted = [...list].sort((a, b) => a.token - b.token);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const a = defined(sorted[i], `hold ${i}`);
        const b = defined(sorted[j], `hold ${j}`);
        const pair = `${name}: ${describeHold(a)} and ${describeHold(b)}`;
        if (a.token === b.token) violations.push(`same token twice, ${pair}`);
        else if (b.grantAckedAt < a.grantInvokedAt)
          violations.push(`larger token granted before the smaller one was asked for, ${pair}`);
        else if (a.releaseInvokedAt === null || b.grantAckedAt < a.releaseInvokedAt)
          violations.push(`overlapping holds, ${pair}`);
      }
    }
  }
  return violations;
}

/**
 * The final state (every node's converged `GET /locks`) against the acknowledged holds:
 * - a hold whose release was never sent is still the owner, owner and token;
 * - a hold whose release was acknowledged is not the owner any more;
 * - a hold whose release was sent but never answered may be either (the pairwise check above
 *   already asks that any larger token was granted only after that release was sent);
 * - whoever owns a lock holds a token at least as large as every acknowledged grant of it.
 */
export function finalStateViolations(holds: Hold[], finalLocks: Grant[]): string[] {
  const violations: string[] = [];
  const final = new Map(finalLocks.map((g) => [g.name, g]));
  for (const hold of holds) {
    const now = final.get(hold.name);
    const isOwner = now !== undefined && now.owner === hold.owner && now.fencingToken === hold.token;
    const shown = now ? `${now.owner}@${now.fencingToken}` : 'free';
    if (hold.releaseInvokedAt === null && !isOwner)
      violations.push(`${hold.name}: kept ${describeHold(hold)} is lost, final state ${shown}`);
    if (now !== undefined && now.fencingToken < hold.token)
      violations.push(`${hold.name}: final owner ${shown} has a smaller token than ${describeHold(hold)}`);
    if (hold.releaseAckedAt !== null && isOwner)
      violations.push(`${hold.name}: released ${describeHold(hold)} still owns it`);
  }
  return violations;
}

function describeHold(h: Hold): string {
  const release =
    h.releaseInvokedAt === null ? 'kept' : `released ${h.releaseInvokedAt}..${h.releaseAckedAt ?? '?'}`;
  return `[${h.owner.slice(0, 8)} token ${h.token} granted ${h.grantInvokedAt}..${h.grantAckedAt}, ${release}]`;
}
