import { SeededRandom, type PeerMessage } from '@app/replicated-log';
import { SimulatedNetwork } from './simulated-network';

const vote = (from: string, to: string, term = 1): PeerMessage<string> => ({
  type: 'requestVoteReply',
  from,
  to,
  term,
  granted: true,
  storageId: `${from}-disk`,
});
const reliable = { minDelayTicks: 1, maxDelayTicks: 1, dropRate: 0, duplicateRate: 0 };

describe('SimulatedNetwork', () => {
  it('delivers a message once its delay has passed, as a copy', () => {
    const network = new SimulatedNetwork<string>(new SeededRandom(1), {
      ...reliable,
      minDelayTicks: 2,
      maxDelayTicks: 2,
    });
    const message = vote('n1', 'n2');
    network.send(message);
    network.setTick(1);
    expect(network.takeDue()).toEqual([]);
    network.setTick(2);
    const [delivered] = network.takeDue();
    expect(delivered).toEqual(message);
    expect(delivered).not.toBe(message);
    expect(network.inFlightCount).toBe(0);
  });

  it('drops messages across a partition, including those already in flight when it starts', () => {
    const network = new SimulatedNetwork<string>(new SeededRandom(1), reliable);
    network.send(vote('n1', 'n2'));
    network.partition([['n1'], ['n2', 'n3']]);
    network.send(vote('n2', 'n3'));
    network.send(vote('n3', 'n1'));
    network.setTick(1);
    expect(network.takeDue().map((m) => `${m.from}->${m.to}`)).toEqual(['n2->n3']);
    expect(network.stats.dropped).toBe(2);
    network.heal();
    network.send(vote('n3', 'n1'));
    network.setTick(2);
    expect(network.takeDue()).toHaveLength(1);
  });

  it('drops messages to a node that is down at delivery time', () => {
    const network = new SimulatedNetwork<string>(new SeededRandom(1), reliable);
    network.send(vote('n1', 'n2'));
    network.setDown('n2', true);
    network.setTick(1);
    expect(network.takeDue()).toEqual([]);
  });

  it('with random delays, reorders; with duplication, delivers twice; with drops, loses', () => {
    const network = new SimulatedNetwork<string>(new SeededRandom(7), {
      minDelayTicks: 1,
      maxDelayTicks: 5,
      dropRate: 0.2,
      duplicateRate: 0.2,
    });
    for (let term = 1; term <= 200; term++) network.send(vote('n1', 'n2', term));
    const terms: number[] = [];
    for (let tick = 1; tick <= 5; tick++) {
      network.setTick(tick);
      terms.push(...network.takeDue().map((m) => m.term));
    }
    const sorted = [...terms].sort((a, b) => a - b);
    expect(terms).not.toEqual(sorted);
    expect(network.stats.duplicated).toBeGreaterThan(10);
    expect(network.stats.dropped).toBeGreaterThan(10);
    expect(terms.length).toBe(200 - network.stats.dropped + network.stats.duplicated);
  });

  it('is a pure function of its seed', () => {
    const run = () => {
      const network = new SimulatedNetwork<string>(new SeededRandom(99), {
        minDelayTicks: 1,
        maxDelayTicks: 4,
        dropRate: 0.1,
        duplicateRate: 0.1,
      });
      for (let term = 1; term <= 50; term++) network.send(vote('n1', 'n2', term));
      network.setTick(4);
      return network.takeDue().map((m) => m.term);
    };
    expect(run()).toEqual(run());
  });
});
