import { describeTransportContract } from '../testing/transport-contract.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { EmbeddedTransportFactory } from './embedded-transport.js';

describeTransportContract('embedded', async () => ({ factory: new EmbeddedTransportFactory(new EmbeddedBroker()) }));
