import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { TopologyDrawer, type Drawing } from './draw-topology.js';
import type { TopologySnapshot, TopologyState } from './topology-state.js';

/** Calls an `@Rpc()` method of a link (one instance answers) and resolves with its result. */
export type RpcInvoker = (link: string, method: string, args: unknown) => Promise<unknown>;

/** What the page receives, once a second. */
export interface DashboardFrame extends TopologySnapshot {
  drawing: Drawing;
  /** Kafka bootstrap servers, for the title. */
  kafka: string;
  /** Whether the page may offer to call RPC methods. */
  canCallRpc: boolean;
}

/** How {@link serveDashboard} serves. */
export interface DashboardServerOptions {
  state: TopologyState;
  kafka: string;
  port: number;
  host: string;
  /** Given only with `--allow-rpc`: without it the server runs nothing and changes nothing. */
  invokeRpc?: RpcInvoker;
  /** How often the page gets a new frame, in ms (default 1000). */
  frameIntervalMs?: number;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port` as a browser would open it. */
  readonly url: string;
  close(): Promise<void>;
}

const ASSETS = new URL('../../assets/dashboard/', import.meta.url);
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
// The page loads nothing from elsewhere, and no other page may frame it.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const MAX_RPC_BODY = 64 * 1024;

/**
 * Serves the dashboard: the page and its two files (from the package, nothing from a CDN), the
 * topology as JSON (`/api/topology`), a frame a second as server-sent events (`/events`), and, only
 * when given an RPC invoker, `POST /api/rpc` for the `@Rpc()` methods the links announced. Bound
 * to loopback, it answers only requests naming a loopback host (no DNS rebinding).
 * @throws CatenaeError `CATENAE_BAD_FLAG` when the port is taken or the host cannot be bound.
 */
export async function serveDashboard(options: DashboardServerOptions): Promise<DashboardServer> {
  const drawer = new TopologyDrawer();
  const frame = (): DashboardFrame => {
    const snapshot = options.state.snapshot();
    return { ...snapshot, drawing: drawer.draw(snapshot), kafka: options.kafka, canCallRpc: options.invokeRpc !== undefined };
  };
  const streams = new Set<ServerResponse>();
  const isLoopbackOnly = LOOPBACK.has(options.host);
  const server = createServer((request, response) => {
    void answer(request, response, { ...options, frame, streams, isLoopbackOnly }).catch((err: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `${(err as Error).message}\n`);
      else response.destroy();
    });
  });
  await listen(server, options.port, options.host);
  const timer = setInterval(() => {
    if (streams.size === 0) return;
    const data = `data: ${JSON.stringify(frame())}\n\n`;
    for (const stream of streams) stream.write(data);
  }, options.frameIntervalMs ?? 1000);
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    close: async () => {
      clearInterval(timer);
      for (const stream of streams) stream.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

interface Context extends DashboardServerOptions {
  frame(): DashboardFrame;
  streams: Set<ServerResponse>;
  isLoopbackOnly: boolean;
}

async function answer(request: IncomingMessage, response: ServerResponse, ctx: Context): Promise<void> {
  const path = (request.url ?? '/').split('?')[0]!;
  if (ctx.isLoopbackOnly && !LOOPBACK.has(hostnameOf(request.headers.host))) {
    return send(response, 403, 'text/plain; charset=utf-8', 'this dashboard answers requests for localhost only (start it with --host to open it)\n');
  }
  if (path === '/api/rpc') return callRpc(request, response, ctx);
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain; charset=utf-8', 'the dashboard only reads (GET)\n');
  const file = FILES[path];
  if (file !== undefined) {
    const body = await readFile(new URL(file, ASSETS));
    return send(response, 200, TYPES[file.slice(file.lastIndexOf('.') + 1)]!, body);
  }
  if (path === '/api/topology') return send(response, 200, 'application/json', JSON.stringify(ctx.frame()));
  if (path === '/events') {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...SECURITY_HEADERS });
    response.write(`retry: 1000\ndata: ${JSON.stringify(ctx.frame())}\n\n`);
    ctx.streams.add(response);
    request.on('close', () => ctx.streams.delete(response));
    return;
  }
  send(response, 404, 'text/plain; charset=utf-8', 'not found: the dashboard is at /\n');
}

/** `POST /api/rpc` `{ link, method, args }`: only with `--allow-rpc`, only announced `@Rpc()` methods. */
async function callRpc(request: IncomingMessage, response: ServerResponse, ctx: Context): Promise<void> {
  if (ctx.invokeRpc === undefined) return sendJson(response, 403, { error: 'RPC calls are off: start the dashboard with --allow-rpc to call @Rpc() methods' });
  if (request.method !== 'POST') return sendJson(response, 405, { error: 'POST a JSON body { link, method, args }' });
  // Only the page itself may call: a JSON body (a form cannot send one) from its own origin.
  const origin = request.headers.origin;
  if (!(request.headers['content-type'] ?? '').startsWith('application/json') || (origin !== undefined && new URL(origin).host !== request.headers.host)) {
    return sendJson(response, 403, { error: 'RPC calls are taken from the dashboard page only' });
  }
  let body: { link?: unknown; method?: unknown; args?: unknown };
  try {
    body = JSON.parse(await readBody(request)) as typeof body;
  } catch (err) {
    return sendJson(response, 400, { error: `the body is not JSON: ${(err as Error).message}` });
  }
  const { link, method, args } = body;
  const known = ctx.state.snapshot().links.find((l) => l.name === link);
  if (typeof link !== 'string' || typeof method !== 'string' || known === undefined || !known.rpcMethods.includes(method)) {
    return sendJson(response, 400, { error: `${String(link)}.${String(method)} is not an @Rpc() method of a running link` });
  }
  try {
    return sendJson(response, 200, { result: await ctx.invokeRpc(link, method, args) });
  } catch (err) {
    return sendJson(response, 502, { error: (err as Error).message, code: (err as { code?: string }).code });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RPC_BODY) {
        reject(new Error(`larger than ${MAX_RPC_BODY} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function hostnameOf(host: string | undefined): string {
  if (host === undefined) return '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json', JSON.stringify(value));
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...SECURITY_HEADERS });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'EADDRINUSE' ? 'the port is in use' : err.message;
      reject(new CatenaeError(ErrorCode.BadFlag, `catenae dashboard cannot listen on ${host}:${port}: ${reason}`, { cause: err }));
    });
    server.listen({ port, host }, () => resolve());
  });
}
