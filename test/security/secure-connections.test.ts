import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CatenaeProcess, fixturePath, uniqueTopic } from '../support/catenae-process.js';
import { consumeSecure, produceSecure } from './secure-clients.js';
import { startSecureBroker, type SecureBroker } from './secure-broker.js';

// A broker of its own, away from the shared one on 9092: plaintext here, controller +1, SASL +2, SSL +3.
const PORT = Number(process.env.SECURE_KAFKA_PORT ?? 39092);
const COUNT = 200;

// The test makes its certificates with openssl.
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

let broker: SecureBroker;
const running: CatenaeProcess[] = [];

/**
 * Runs the upper-casing link of the e2e fixtures against `bootstrap` with `args`/`env` as its only
 * security configuration, feeds it COUNT values and reads them back upper-cased, both through
 * plain clients using `clientConfig`.
 */
async function roundTrip(bootstrap: string, clientConfig: Record<string, string>, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const input = uniqueTopic('secure_in');
  const output = uniqueTopic('secure_out');
  const upper = new CatenaeProcess(['run', fixturePath('upper'), '-k', bootstrap, '-i', input, '-o', output, ...args], env);
  running.push(upper);
  await upper.waitFor((line) => line.includes(' assigned '), 60_000, 'the assignment');
  const values = Array.from({ length: COUNT }, (_, i) => `value-${i}`);
  await produceSecure(bootstrap, clientConfig, input, values);
  const read = await consumeSecure(bootstrap, clientConfig, output, COUNT);
  assert.deepEqual(read.sort(), values.map((v) => v.toUpperCase()).sort());
  assert.equal(await upper.stop(), 0);
}

describe('secure connections to Kafka, through configuration only', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  before(async () => {
    broker = await startSecureBroker(PORT);
  });
  after(async () => {
    for (const process of running) process.child.kill('SIGKILL');
    await broker?.stop();
  });

  it('SASL/SCRAM-SHA-256 from --kafka-config flags', async () => {
    const { username, password } = broker.user;
    const config = { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': username, 'sasl.password': password };
    await roundTrip(broker.sasl, config, Object.entries(config).flatMap(([key, value]) => ['--kafka-config', `${key}=${value}`]));
  });

  it('SASL/PLAIN from CATENAE_KAFKA_* variables', async () => {
    const { username, password } = broker.user;
    const config = { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': username, 'sasl.password': password };
    await roundTrip(broker.sasl, config, [], {
      CATENAE_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      CATENAE_KAFKA_SASL_MECHANISMS: 'PLAIN',
      CATENAE_KAFKA_SASL_USERNAME: username,
      CATENAE_KAFKA_SASL_PASSWORD: password,
    });
  });

  it('TLS with the CA that signed the broker certificate, the host name verified', async () => {
    const config = { 'security.protocol': 'SSL', 'ssl.ca.location': broker.caFile };
    await roundTrip(broker.ssl, config, ['--kafka-config', 'security.protocol=SSL', '--kafka-config', `ssl.ca.location=${broker.caFile}`]);
  });

  it('a wrong SCRAM password stops the link non-zero with a line naming the authentication failure', async () => {
    const link = new CatenaeProcess(
      ['run', fixturePath('upper'), '-k', broker.sasl, '-i', uniqueTopic('secure_in'), '-o', uniqueTopic('secure_out'),
        '--kafka-config', 'security.protocol=SASL_PLAINTEXT', '--kafka-config', 'sasl.mechanisms=SCRAM-SHA-256',
        '--kafka-config', `sasl.username=${broker.user.username}`, '--kafka-config', 'sasl.password=wrong'],
    );
    running.push(link);
    assert.notEqual(await link.exited, 0);
    assert.ok(link.stderr.some((line) => /catenae: .*[Aa]uthentication.*\(CATENAE_BROKER\)/.test(line)), link.stderr.join('\n'));
  });

  it('a TLS client without the CA is refused: the certificate does not verify', async () => {
    const link = new CatenaeProcess(['run', fixturePath('upper'), '-k', broker.ssl, '-i', uniqueTopic('secure_in'), '--kafka-config', 'security.protocol=SSL']);
    running.push(link);
    assert.notEqual(await link.exited, 0);
    assert.ok(link.stderr.some((line) => /catenae: .*certificate verify failed.*\(CATENAE_BROKER\)/.test(line)), link.stderr.join('\n'));
  });
});
