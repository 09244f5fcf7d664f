/** Backends and clients on loopback for the ingress proxy's tests and benchmark. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';

/**
 * A port free right now on every loopback address, for TCP and UDP. The rule names the port, so
 * the proxy cannot be asked for port 0; something else could take it before use, rarely.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '0.0.0.0', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '0.0.0.0', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (udpFree) return port;
  }
}

export interface HttpBackend {
  ip: string;
  server: HttpServer;
  stop(): Promise<void>;
}

/** An HTTP server on IP:port answering every request with its own IP. */
export async function httpBackend(ip: string, port: number): Promise<HttpBackend> {
  const server = createHttpServer((req, res) => {
    req.resume();
    res.end(ip);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, resolve));
  let stopped: Promise<void> | undefined;
  return {
    ip,
    server,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** One GET without keep-alive; resolves with the body. */
export function httpGet(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

export interface UdpBackend {
  ip: string;
  socket: UdpSocket;
  stop(): Promise<void>;
}

/** A UDP server on IP:port answering each datagram with `IP:` and the datagram. */
export async function udpEchoBackend(ip: string, port: number): Promise<UdpBackend> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(Buffer.concat([Buffer.from(`${ip}:`), msg]), rinfo.port, rinfo.address));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => resolve());
  });
  let stopped: Promise<void> | undefined;
  return { ip, socket, stop: () => (stopped ??= new Promise<void>((resolve) => socket.close(() => resolve()))) };
}
