import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'winston';

/** The channel transports publish recoverable client errors on (`@catenae/kafka` does). */
const CLIENT_ERROR_CHANNEL = 'catenae:kafka:client-error';

interface ClientErrorMessage {
  clientId: string;
  client: string;
  error: Error;
}

/**
 * Logs, as warnings, the errors a transport's clients recover from by themselves (a broker gone
 * for a while, a missing topic) for the clients of one link instance. Returns the unsubscriber.
 */
export function logTransportErrors(clientIdPrefix: string, logger: Logger): () => void {
  const onMessage = (message: unknown) => {
    const { clientId, client, error } = message as ClientErrorMessage;
    if (clientId.startsWith(clientIdPrefix)) logger.warn(`${client} client: ${error.message}`);
  };
  subscribe(CLIENT_ERROR_CHANNEL, onMessage);
  return () => unsubscribe(CLIENT_ERROR_CHANNEL, onMessage);
}
