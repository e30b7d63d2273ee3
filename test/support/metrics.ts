import { createServer } from 'node:net';

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** GETs a path of a link's metrics server. */
export async function scrape(port: number, path = '/metrics'): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

function matches(line: string, name: string, labels: Record<string, string>): boolean {
  if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) return false;
  return Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
}

/** The first sample of `name` with these labels in a Prometheus text, 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text.split('\n').find((l) => matches(l, name, labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The sum of every sample of `name` with these labels. */
export function sumOf(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((l) => matches(l, name, labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
