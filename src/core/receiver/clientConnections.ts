// One client cannot hold every socket of a receiver: past a cap its new connections are
// closed at once. (Every local process shares 127.0.0.1, so this bounds all local clients
// together, and keeps a flood of connections from exhausting file descriptors.)
import type { Socket } from 'node:net';

/** Open connections per client address, for one receiver. */
export class ClientConnections {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly cap: number,
    /** Told of each connection closed for being over the cap. */
    private readonly onRefused: (client: string, cap: number) => void,
  ) {}

  /** Counts `socket` until it closes; false (and the socket destroyed) when its client is at the cap. */
  admit(socket: Socket): boolean {
    const client = socket.remoteAddress ?? '';
    const count = (this.open.get(client) ?? 0) + 1;
    if (count > this.cap) {
      this.onRefused(client, this.cap);
      socket.destroy();
      return false;
    }
    this.open.set(client, count);
    socket.once('close', () => {
      const left = (this.open.get(client) ?? 1) - 1;
      if (left > 0) this.open.set(client, left);
      else this.open.delete(client);
    });
    return true;
  }
}
