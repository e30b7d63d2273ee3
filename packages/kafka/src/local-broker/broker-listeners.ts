import { CatenaeError, ErrorCode } from '@catenae/core';

/** A user the SASL listener accepts, with PLAIN and with SCRAM. */
export interface BrokerUser {
  /** Letters, digits, `.`, `_` and `-`. */
  username: string;
  /** Letters, digits, `.`, `_` and `-` (kept simple for the SCRAM format tool and the JAAS line). */
  password: string;
}

/**
 * Extra listeners of a local broker, for testing secure connections; the PLAINTEXT listener stays.
 * They apply when the broker starts (a running broker is returned as it is), and SCRAM users are
 * created when its storage is formatted: give a fresh `dataDir`.
 */
export interface BrokerListeners {
  /** `SASL_PLAINTEXT://127.0.0.1:<port>` accepting PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
  sasl?: { port: number; users: BrokerUser[] };
  /** `SSL://127.0.0.1:<port>` presenting this certificate (PEM text: the chain leaf first, an unencrypted PKCS#8 key). */
  ssl?: { port: number; certificateChain: string; privateKey: string };
}

const SAFE = /^[A-Za-z0-9._-]+$/;
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/**
 * The `server.properties` lines of the extra listeners: their addresses (to add to `listeners`,
 * `advertised.listeners` and the protocol map) and their own settings.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a user name or password outside the safe characters.
 */
export function listenerProperties(listeners: BrokerListeners): { names: string[]; addresses: string[]; lines: string[] } {
  const names: string[] = [];
  const addresses: string[] = [];
  const lines: string[] = [];
  if (listeners.sasl) {
    for (const { username, password } of listeners.sasl.users) {
      if (!SAFE.test(username) || !SAFE.test(password)) {
        throw new CatenaeError(ErrorCode.BadFlag, `broker user "${username}": names and passwords may hold only letters, digits, . _ and -`);
      }
    }
    names.push('SASL_PLAINTEXT');
    addresses.push(`SASL_PLAINTEXT://127.0.0.1:${listeners.sasl.port}`);
    const plainUsers = listeners.sasl.users.map(({ username, password }) => `user_${username}="${password}"`).join(' ');
    lines.push(
      `listener.name.sasl_plaintext.sasl.enabled.mechanisms=${MECHANISMS.join(',')}`,
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    );
  }
  if (listeners.ssl) {
    names.push('SSL');
    addresses.push(`SSL://127.0.0.1:${listeners.ssl.port}`);
    // Inline PEM, one line: Kafka's PEM parser ignores the whitespace inside.
    lines.push(
      'listener.name.ssl.ssl.keystore.type=PEM',
      `listener.name.ssl.ssl.keystore.certificate.chain=${oneLine(listeners.ssl.certificateChain)}`,
      `listener.name.ssl.ssl.keystore.key=${oneLine(listeners.ssl.privateKey)}`,
    );
  }
  return { names, addresses, lines };
}

/** `kafka.tools.StorageTool format` arguments creating the SCRAM credentials of the SASL users. */
export function scramFormatArgs(listeners: BrokerListeners | undefined): string[] {
  const args: string[] = [];
  for (const { username, password } of listeners?.sasl?.users ?? []) {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) args.push('--add-scram', `${mechanism}=[name=${username},password=${password}]`);
  }
  return args;
}

function oneLine(pem: string): string {
  return pem.trim().replace(/\s*\r?\n\s*/g, ' ');
}
