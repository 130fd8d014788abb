// Loopback ports for the local restate-server, its cluster nodes and `perdure dev`: a free one picked by the OS, a
// check that a chosen one can be bound, and the error that says which one is taken.
import * as net from "node:net";

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(
    readonly port: number,
    what: string,
  ) {
    super(`${what} ${port} is already in use on 127.0.0.1 (pick another one, or stop what is listening there)`);
  }
}
