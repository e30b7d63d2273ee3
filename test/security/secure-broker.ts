import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaDown, kafkaUp } from '@catenae/kafka';

/** Where the secure broker listens: plaintext on `port`, its controller on `port + 1`, SASL and SSL on the next two. */
export interface SecureBroker {
  plaintext: string;
  sasl: string;
  ssl: string;
  /** The CA that signed the broker's certificate (PEM file). */
  caFile: string;
  user: { username: string; password: string };
  stop(): Promise<void>;
}

/**
 * Starts a separate local broker (its own port and temporary data dir, never the shared 9092 one)
 * with a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256/512, one user) and an SSL listener whose
 * certificate, for 127.0.0.1, is signed by a CA made here with openssl. `stop` stops it and
 * removes its data and the certificates.
 */
export async function startSecureBroker(port: number): Promise<SecureBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'catenae-secure-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=catenae-test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('broker.key'), '-out', file('broker.csr'));
  writeFileSync(file('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', file('broker.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-out', file('broker.pem'), '-extfile', file('san.cnf'));
  const user = { username: 'alice', password: 'alice-secret' };
  const dataDir = file('broker');
  try {
    await kafkaUp({
      port,
      dataDir,
      timeoutMs: 90_000,
      listeners: {
        sasl: { port: port + 2, users: [user] },
        ssl: { port: port + 3, certificateChain: readFileSync(file('broker.pem'), 'utf8'), privateKey: readFileSync(file('broker.key'), 'utf8') },
      },
    });
  } catch (err) {
    await kafkaDown({ port, dataDir, removeData: true });
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    plaintext: `127.0.0.1:${port}`,
    sasl: `127.0.0.1:${port + 2}`,
    ssl: `127.0.0.1:${port + 3}`,
    caFile: file('ca.pem'),
    user,
    stop: async () => {
      await kafkaDown({ port, dataDir, removeData: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
