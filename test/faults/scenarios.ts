import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../support/wait-for';
import { FencedResource } from './fenced-resource';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultNode } from './fault-cluster';
import type { Scenario, ScenarioContext } from './scenario';
import { damageWalTail } from './wal-damage';
import { defined } from '../support/defined';

async function killAndRestart(ctx: ScenarioContext, node: FaultNode, downMs: number): Promise<void> {
  ctx.timeline.record('kill-9', [node.id]);
  await ctx.cluster.kill(node);
  await ctx.pause(downMs);
  await ctx.cluster.start(node, false);
  ctx.timeline.record('restart', [node.id]);
}

function others(ctx: ScenarioContext, node: FaultNode): FaultNode[] {
  return ctx.cluster.nodes.filter((n) => n !== node);
}

async function partitionFor(
  ctx: ScenarioContext,
  a: FaultNode[],
  b: FaultNode[],
  ms: number,
  spec: string,
  whileCut?: () => void,
) {
  ctx.lab?.partition(
    a.map((n) => n.index),
    b.map((n) => n.index),
  );
  ctx.timeline.record(
    'partition',
    a.map((n) => n.id),
    `${spec} | ${b.map((n) => n.id).join(',')}`,
  );
  whileCut?.();
  await ctx.pause(ms);
  ctx.lab?.heal();
  ctx.timeline.record('heal', []);
}

const tmpfsMounts = new Set<string>();

interface HolderLine {
  token?: number;
  write?: { status: number };
}

/**
 * Jepsen's etcd lock-set lesson: a lease is not mutual exclusion. A client holding a lock
 * with a 2 s session is stopped; the session expires, another client takes the lock with a
 * larger token and writes; when the first wakes up, its write with the old token must be
 * refused by the resource.
 */
async function pausedHolder(ctx: ScenarioContext): Promise<void> {
  const resource = new FencedResource();
  const resourceUrl = await resource.start();
  const nodeUrl = `http://${ctx.cluster.http(defined(ctx.cluster.nodes[0], 'the first node'))}`;
  const lock = `S6-fenced-${ctx.rng.below(1_000_000)}`;
  const holderId = randomUUID();
  const holder = spawn(
    process.execPath,
    [join(__dirname, 'paused-holder.js'), nodeUrl, holderId, lock, '2000', resourceUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: HolderLine[] = [];
  let buffered = '';
  holder.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as HolderLine);
  });
  try {
    const token = await waitFor('the holder to take the lock', () => lines.find((l) => l.token)?.token);
    await waitFor('a write by the holder', () => lines.some((l) => l.write?.status === 200));
    holder.kill('SIGSTOP');
    ctx.timeline.record('sigstop-client', ['holder']);
    const contender = randomUUID();
    const newToken = await waitFor(
      'the contender to get the lock after the session expired',
      async () => {
        const res = await fetch(`${nodeUrl}/locks/${lock}/preempt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: contender }),
          signal: AbortSignal.timeout(2000),
        });
        const body = (await res.json()) as { fencingToken: number };
        return res.status === 200 ? body.fencingToken : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    if (!resource.write(lock, newToken, contender))
      ctx.violations.push(`the new holder's write (token ${newToken}) was refused`);
    if (newToken <= token) ctx.violations.push(`token did not increase: ${token} then ${newToken}`);
    const seen = lines.length;
    holder.kill('SIGCONT');
    ctx.timeline.record('resume', ['holder']);
    await waitFor('a write by the woken holder', () => lines.slice(seen).some((l) => l.write !== undefined));
    if (!resource.writes.some((w) => w.writer === holderId && !w.accepted))
      ctx.violations.push('the stale holder wrote with its old token and was not refused');
    ctx.violations.push(...resource.violations());
  } finally {
    holder.kill('SIGKILL');
    await resource.stop();
  }
}

/**
 * A preempt of a fresh lock sent to a leader just cut off from its followers: it is
 * appended to that leader's log but can never commit, so no node may ever show it, and it
 * is truncated once a new leader takes over. The workload's own writes to the isolated
 * leader may all happen to be no-ops (refused preempts and releases); this one always
 * changes the state, so a node that applies before commit keeps a lock the others never
 * had and the convergence check sees it. Its outcome is unknown, so nothing waits for it.
 */
function writeToIsolated(ctx: ScenarioContext, node: FaultNode): void {
  const lock = `isolated-write-${ctx.rng.below(1_000_000)}`;
  void fetch(`http://${ctx.cluster.http(node)}/locks/${lock}/preempt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: randomUUID() }),
    signal: AbortSignal.timeout(3000),
  }).catch(() => undefined);
}

/**
 * Once the majority side has a new leader, a fresh lock is taken there and then checked
 * linearizably on the cut-off old leader. That node cannot confirm its leadership with a
 * majority (ReadIndex, thesis 6.4), so it must refuse or time out; answering "free" for a
 * lock whose grant was acknowledged is a stale linearizable read. The workload's own
 * checks reach the old leader only by chance; this one always does.
 */
async function staleReadProbe(ctx: ScenarioContext, isolated: FaultNode): Promise<void> {
  const majority = others(ctx, isolated);
  const lock = `isolated-read-${ctx.rng.below(1_000_000)}`;
  const granted = await waitFor(
    'a grant on the majority side',
    async () => {
      for (const node of majority) {
        const res = await fetch(`http://${ctx.cluster.http(node)}/locks/${lock}/preempt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: randomUUID() }),
          signal: AbortSignal.timeout(1500),
        }).catch(() => null);
        if (res?.status === 200) return true;
      }
      return ctx.active() ? undefined : false;
    },
    { timeoutMs: 4500, intervalMs: 200 },
  ).catch(() => false);
  if (!granted) return;
  const res = await fetch(`http://${ctx.cluster.http(isolated)}/locks/${lock}?consistency=linearizable`, {
    signal: AbortSignal.timeout(1500),
  }).catch(() => null);
  if (res?.status !== 200) return;
  const body = (await res.json()) as { owner: string | null };
  if (body.owner === null)
    ctx.violations.push(
      `stale linearizable read: ${isolated.id}, cut off, answered ${lock} free after its grant was acknowledged`,
    );
}

/** The member `id` as the leader lists it, once there is a leader. */
async function memberOnLeader(ctx: ScenarioContext, id: string) {
  const leader = await ctx.leader();
  const view = leader ? await ctx.cluster.view(leader) : null;
  return view === null ? undefined : (view.members.find((m) => m.id === id) ?? null);
}

/**
 * A member loses its disk: it is removed through the leader, its data directory is wiped,
 * and it starts again with its same command line, so it joins as a learner with a new
 * storage identity and is promoted once it has caught up. All under the workload's load.
 */
async function wipeAndRejoin(ctx: ScenarioContext): Promise<void> {
  const leader = await ctx.leader();
  const victim = ctx.rng.pick(ctx.cluster.nodes.filter((n) => n !== leader && n.app === 'follower'));
  const before = await waitFor(`${victim.id} listed`, () => memberOnLeader(ctx, victim.id));
  await ctx.cluster.kill(victim);
  ctx.timeline.record('kill-9', [victim.id]);
  await waitFor(`the leader to remove ${victim.id}`, async () => {
    const current = await ctx.leader();
    if (!current) return false;
    const res = await fetch(`http://${ctx.cluster.http(current)}/cluster/members/${victim.id}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(3000),
    });
    return res.status === 200;
  });
  ctx.timeline.record('remove-member', [victim.id]);
  rmSync(victim.dataDir, { recursive: true, force: true });
  mkdirSync(victim.dataDir, { recursive: true });
  ctx.timeline.record('wipe', [victim.id]);
  await ctx.cluster.start(victim);
  ctx.timeline.record('join', [victim.id], 'as a learner, with a new storage identity');
  await waitFor(
    `${victim.id} to be promoted with its new storage`,
    async () => {
      const member = await memberOnLeader(ctx, victim.id);
      return member && member.storageId !== before?.storageId && member.role !== 'learner';
    },
    { timeoutMs: 60_000 },
  );
  ctx.timeline.record('promoted', [victim.id]);
}

/** Every scenario of the plan that is built; core ones run by default. */
export const SCENARIOS: Scenario[] = [
  { id: 'S1', title: 'baseline, no faults', core: true, faultless: true, nemesis: async () => {} },
  {
    id: 'S2',
    title: 'kill -9 a random node, restart it 1-2 s later',
    core: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        await killAndRestart(ctx, ctx.rng.pick(ctx.cluster.nodes), 1000 + ctx.rng.below(1000));
        await ctx.pause(2000 + ctx.rng.below(2000));
      }
    },
  },
  {
    id: 'S3',
    title: 'kill -9 the leader repeatedly (failover)',
    core: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        const leader = await ctx.leader();
        if (leader) await killAndRestart(ctx, leader, 1000 + ctx.rng.below(1000));
        await ctx.pause(2500 + ctx.rng.below(1500));
      }
    },
  },
  {
    id: 'S4',
    title: 'kill -9 every node at once, twice, then restart them',
    core: true,
    async nemesis(ctx) {
      for (let round = 0; round < 2 && ctx.active(); round++) {
        ctx.timeline.record(
          'kill-9',
          ctx.cluster.nodes.map((n) => n.id),
          'all',
        );
        await Promise.all(ctx.cluster.nodes.map((n) => ctx.cluster.kill(n)));
        await ctx.pause(500);
        await Promise.all(ctx.cluster.nodes.map((n) => ctx.cluster.start(n)));
        ctx.timeline.record(
          'restart',
          ctx.cluster.nodes.map((n) => n.id),
        );
        await ctx.pause(4000);
      }
    },
  },
  {
    id: 'S5',
    title: 'SIGSTOP the leader for twice the election timeout, then SIGCONT (a zombie leader)',
    core: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        const leader = await ctx.leader();
        if (leader) {
          ctx.cluster.pause(leader);
          ctx.timeline.record('sigstop', [leader.id]);
          await ctx.pause(2400);
          ctx.cluster.resume(leader);
          ctx.timeline.record('resume', [leader.id]);
        }
        await ctx.pause(2500);
      }
    },
  },
  {
    id: 'S6',
    title: 'SIGSTOP a lock-holding client past its session TTL; the fenced resource refuses its stale token',
    core: true,
    nemesis: pausedHolder,
  },
  {
    id: 'S5b',
    title: 'SIGSTOP any node (leader or follower) for 1-3 s, repeatedly',
    core: false,
    async nemesis(ctx) {
      while (ctx.active()) {
        const target = ctx.rng.pick(ctx.cluster.nodes);
        ctx.cluster.pause(target);
        ctx.timeline.record('sigstop', [target.id]);
        await ctx.pause(1000 + ctx.rng.below(2000));
        ctx.cluster.resume(target);
        ctx.timeline.record('resume', [target.id]);
        await ctx.pause(1500);
      }
    },
  },
  {
    id: 'S7',
    title: 'isolate the leader from both followers, heal after 5 s',
    core: true,
    needsNamespaces: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        const leader = await ctx.leader();
        if (leader)
          await partitionFor(ctx, [leader], others(ctx, leader), 5000, 'primaries', () => {
            writeToIsolated(ctx, leader);
            void staleReadProbe(ctx, leader);
          });
        await ctx.pause(2000);
      }
    },
  },
  {
    id: 'S8',
    title: 'majority/minority partitions that flip between nodes',
    core: true,
    needsNamespaces: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        const lone = ctx.rng.pick(ctx.cluster.nodes);
        await partitionFor(ctx, [lone], others(ctx, lone), 3000 + ctx.rng.below(2000), 'majority');
        await ctx.pause(1000);
      }
    },
  },
  {
    id: 'S12',
    title: 'WAL tail damage after kill -9, on a follower and on the leader',
    core: true,
    async nemesis(ctx) {
      for (let round = 0; ctx.active(); round++) {
        const leader = await ctx.leader();
        const target = round % 2 === 1 && leader ? leader : ctx.rng.pick(ctx.cluster.nodes);
        await ctx.cluster.kill(target);
        ctx.timeline.record('kill-9', [target.id]);
        ctx.timeline.record('wal-tail', [target.id], damageWalTail(target.dataDir, ctx.rng));
        await ctx.cluster.start(target);
        ctx.timeline.record('restart', [target.id]);
        await ctx.pause(3000);
      }
    },
  },
  {
    id: 'S13',
    title: "disk full: the leader's data directory on a small tmpfs, filled, then freed",
    core: true,
    // mounting a tmpfs needs root, as namespaces do
    needsNamespaces: true,
    needsRoot: true,
    async nemesis(ctx) {
      const leader = await ctx.leader();
      if (!leader) return;
      // Remount the leader's data dir on a 4 MiB tmpfs (its WAL copied over), then fill it.
      await ctx.cluster.kill(leader);
      const saved = join(ctx.dir, 'wal-before-tmpfs');
      execFileSync('cp', ['-a', leader.dataDir, saved]);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', leader.dataDir]);
      tmpfsMounts.add(leader.dataDir);
      execFileSync('cp', ['-a', `${saved}/.`, leader.dataDir]);
      await ctx.cluster.start(leader);
      ctx.timeline.record('restart', [leader.id], 'on tmpfs');
      const filler = join(leader.dataDir, 'filler');
      execFileSync('sh', ['-c', `dd if=/dev/zero of=${filler} bs=64k 2>/dev/null || true`]);
      ctx.timeline.record('disk-full', [leader.id]);
      await ctx.pause(5000);
      rmSync(filler, { force: true });
      ctx.timeline.record('remove-filler', [leader.id]);
      if (!leader.process) await ctx.cluster.start(leader);
      await ctx.pause(2000);
      // Move the node back off the tmpfs, WAL and all.
      await ctx.cluster.kill(leader);
      const after = join(ctx.dir, 'wal-after-tmpfs');
      execFileSync('cp', ['-a', leader.dataDir, after]);
      execFileSync('umount', [leader.dataDir]);
      tmpfsMounts.delete(leader.dataDir);
      execFileSync('cp', ['-a', `${after}/.`, leader.dataDir]);
      await ctx.cluster.start(leader);
      ctx.timeline.record('restart', [leader.id], 'off tmpfs');
    },
    cleanup() {
      for (const dir of tmpfsMounts) {
        execFileSync('umount', ['-l', dir]);
        tmpfsMounts.delete(dir);
      }
    },
  },
  {
    id: 'S14m',
    title: 'membership change under load: a fourth node joins, then is removed and stopped',
    core: false,
    async nemesis(ctx) {
      const n4 = await ctx.cluster.addNode('follower');
      await ctx.cluster.start(n4);
      ctx.timeline.record('join', [n4.id]);
      await waitFor('n4 to be a member', async () => {
        const leader = await ctx.leader();
        const view = leader ? await ctx.cluster.view(leader) : null;
        return view?.members.some((m) => m.id === n4.id);
      });
      await ctx.pause(3000);
      await waitFor('the leader to remove n4', async () => {
        const leader = await ctx.leader();
        if (!leader) return false;
        const res = await fetch(`http://${ctx.cluster.http(leader)}/cluster/members/${n4.id}`, {
          method: 'DELETE',
          signal: AbortSignal.timeout(3000),
        });
        return res.status === 200;
      });
      ctx.timeline.record('remove-member', [n4.id]);
      n4.retired = true;
      await ctx.cluster.kill(n4, 'SIGTERM');
    },
  },
  {
    id: 'S14w',
    title:
      'wipe and rejoin under load: a follower is removed, its data directory wiped, and it joins again as a learner',
    core: false,
    // long enough that the rejoin and the catch-up happen while clients still write
    trafficMs: 40_000,
    nemesis: wipeAndRejoin,
  },
  {
    id: 'S8b',
    title: 'one-way cut: the leader stops hearing one follower',
    core: false,
    needsNamespaces: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        const leader = await ctx.leader();
        if (leader) {
          const follower = ctx.rng.pick(others(ctx, leader));
          ctx.lab?.cut(follower.index, leader.index);
          ctx.timeline.record('partition', [follower.id], `one-way ${follower.id}>${leader.id}`);
          await ctx.pause(4000);
          ctx.lab?.heal();
          ctx.timeline.record('heal', []);
        }
        await ctx.pause(1500);
      }
    },
  },
  {
    id: 'S8c',
    title: 'bridge partition: n1 | n2 | n3 where n2 still sees both',
    core: false,
    needsNamespaces: true,
    async nemesis(ctx) {
      while (ctx.active()) {
        const a = defined(ctx.cluster.nodes[0], 'node 1');
        const b = defined(ctx.cluster.nodes[1], 'node 2');
        const c = defined(ctx.cluster.nodes[2], 'node 3');
        ctx.lab?.partition([a.index], [c.index]);
        ctx.timeline.record('partition', [a.id, c.id], `bridge via ${b.id}`);
        await ctx.pause(5000);
        ctx.lab?.heal();
        ctx.timeline.record('heal', []);
        await ctx.pause(1500);
      }
    },
  },
];

function scenario(id: string): Scenario {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
}

function negativeControl(id: string, base: string, unsafe: string, title: string): Scenario {
  return {
    ...scenario(base),
    id,
    title: `negative control: ${title}, under ${base}`,
    env: { LATCHKEY_UNSAFE_TEST_SWITCHES: unsafe },
    expectAnomaly: unsafe,
    trafficMs: 12_000,
  };
}

/** Each unsafe switch breaks the nodes on purpose; its scenario passes only if a checker catches it. */
SCENARIOS.push(
  negativeControl('NC1', 'S1', 'ignore-owner-on-release', 'the lock table ignores the owner on release'),
  negativeControl('NC2', 'S7', 'ack-before-quorum', 'the leader acknowledges before a quorum has the entry'),
  negativeControl('NC3', 'S7', 'read-without-quorum', 'linearizable checks skip the quorum round'),
  negativeControl('NC4', 'S4', 'ack-before-fsync', 'writes are acknowledged before they reach the disk'),
  negativeControl(
    'NC5',
    'S7',
    'apply-before-commit',
    'nodes apply and serve entries before they are committed',
  ),
);
