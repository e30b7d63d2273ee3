import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * The instance id: `$HOSTNAME` inside a container (stable across restarts of that container,
 * so its RPC identity survives), else 12 random hex digits.
 */
export function instanceUid(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOSTNAME && isInContainer(env)) return env.HOSTNAME;
  return randomBytes(6).toString('hex');
}

function isInContainer(env: NodeJS.ProcessEnv): boolean {
  if (env.KUBERNETES_SERVICE_HOST || env.container) return true;
  if (existsSync('/.dockerenv') || existsSync('/run/.containerenv')) return true;
  try {
    return /docker|kubepods|containerd|libpod/.test(readFileSync('/proc/1/cgroup', 'utf8'));
  } catch {
    return false;
  }
}
