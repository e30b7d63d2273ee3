import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'winston';
import { CatenaeError, ErrorCode } from '../errors.js';
import { linkMetrics, type LinkMetrics } from './link-metrics.js';
import { Readiness } from './readiness.js';

/** A link instance's hold on the process's metrics server; the last release closes it. */
export interface MetricsLease {
  /** The port the server listens on (the asked one, or the one the system chose for 0). */
  readonly port: number;
  release(): Promise<void>;
}

// Bound to every interface: in a container, Prometheus and the kubelet probe from outside.
const HOST = '0.0.0.0';

interface Endpoint {
  port: number;
  server: Server;
  metrics: LinkMetrics;
  readiness: Readiness;
  leases: number;
}

let opening: Promise<Endpoint> | undefined;

/**
 * Serves `/metrics` (Prometheus text), `/health` (200 while the process runs) and `/ready` (200
 * once every link instance of the process is running and has its partitions, 503 before and
 * while stopping) on `0.0.0.0:port`: one server per process, shared by its links, closed when
 * the last one releases it.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a bad port, one in use, or a second port.
 */
export async function serveMetrics(port: number, link: string, uid: string, logger: Logger): Promise<MetricsLease> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CatenaeError(ErrorCode.BadFlag, `--metrics-port ${port} is not a port number (0 to 65535)`);
  }
  const isNew = opening === undefined;
  opening ??= open(port).catch((err: unknown) => {
    opening = undefined;
    throw err;
  });
  const endpoint = await opening;
  if (port !== 0 && port !== endpoint.port) {
    throw new CatenaeError(ErrorCode.BadFlag, `--metrics-port ${port}: this process already serves metrics on port ${endpoint.port}`);
  }
  endpoint.leases++;
  endpoint.readiness.add(link, uid);
  if (isNew) logger.info(`serving /metrics, /health and /ready on http://${HOST}:${endpoint.port}`);
  let isReleased = false;
  return {
    port: endpoint.port,
    release: async () => {
      if (isReleased) return;
      isReleased = true;
      endpoint.readiness.remove(link, uid);
      if (--endpoint.leases > 0) return;
      opening = undefined;
      endpoint.readiness.close();
      endpoint.metrics.detach();
      await new Promise<void>((resolve) => {
        endpoint.server.close(() => resolve());
        // A scraper's keep-alive connection would hold the close (and the process) open.
        endpoint.server.closeAllConnections();
      });
    },
  };
}

async function open(port: number): Promise<Endpoint> {
  const metrics = linkMetrics();
  const readiness = new Readiness();
  const server = createServer((request, response) => void answer(request, response, metrics, readiness));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: HOST }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    readiness.close();
    const reason = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : (err as Error).message;
    throw new CatenaeError(ErrorCode.BadFlag, `--metrics-port ${port}: cannot listen on ${HOST}:${port}: ${reason}`, { cause: err });
  }
  // Scrapers must not keep a process alive that has nothing else to do.
  server.unref();
  metrics.attach();
  return { port: (server.address() as AddressInfo).port, server, metrics, readiness, leases: 0 };
}

async function answer(request: IncomingMessage, response: ServerResponse, metrics: LinkMetrics, readiness: Readiness): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'only GET and HEAD\n');
  try {
    if (path === '/metrics') return send(response, 200, metrics.registry.contentType, await metrics.registry.metrics());
    if (path === '/health') return send(response, 200, 'text/plain', 'ok\n');
    if (path === '/ready') {
      const reasons = readiness.notReady();
      return reasons.length === 0 ? send(response, 200, 'text/plain', 'ready\n') : send(response, 503, 'text/plain', `${reasons.join('\n')}\n`);
    }
    send(response, 404, 'text/plain', 'not found: try /metrics, /health or /ready\n');
  } catch (err) {
    send(response, 500, 'text/plain', `${(err as Error).message}\n`);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
