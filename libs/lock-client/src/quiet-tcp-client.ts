import { ClientTCP } from '@nestjs/microservices';
import { noDelayJsonSocket } from '@app/protocol';
import type { Socket } from 'node:net';

const NoDelaySocket = noDelayJsonSocket();

/**
 * A Nest ClientTCP that neither logs nor lingers. The stock client logs every socket error
 * other than ECONNREFUSED through Nest's Logger; the SDK reports failures to its caller
 * instead, so those lines are noise. Its `close()` only half-closes the socket (`end()`),
 * which leaves a connect to an unreachable host pending and keeps a CLI process alive.
 */
export class QuietTcpClient extends ClientTCP {
  constructor(options: { host: string; port: number }) {
    super({ ...options, socketClass: NoDelaySocket });
  }

  override handleError(): void {
    // Deliberately silent: the pending request fails and the SDK converts that to a value.
  }

  override close(): void {
    const netSocket: Socket | undefined = this.socket?.netSocket;
    super.close();
    netSocket?.destroy();
  }
}
