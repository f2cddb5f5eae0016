import { Socket } from 'node:net';
import { corkForTurn } from './cork-for-turn';

const nextCheckPhase = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('corkForTurn', () => {
  it('holds the writes of every socket written in this turn until the check phase', async () => {
    const [a, b] = [new Socket(), new Socket()];
    corkForTurn(a);
    corkForTurn(b);
    corkForTurn(a);
    expect([a.writableCorked, b.writableCorked]).toEqual([1, 1]);
    await nextCheckPhase();
    expect([a.writableCorked, b.writableCorked]).toEqual([0, 0]);
  });

  it('corks a socket again in a later turn', async () => {
    const socket = new Socket();
    corkForTurn(socket);
    await nextCheckPhase();
    corkForTurn(socket);
    expect(socket.writableCorked).toBe(1);
    await nextCheckPhase();
    expect(socket.writableCorked).toBe(0);
  });

  it('schedules one immediate for all the sockets of a turn', () => {
    const scheduled = jest.spyOn(global, 'setImmediate');
    try {
      corkForTurn(new Socket());
      corkForTurn(new Socket());
      corkForTurn(new Socket());
      expect(scheduled).toHaveBeenCalledTimes(1);
    } finally {
      scheduled.mockRestore();
    }
  });
});
