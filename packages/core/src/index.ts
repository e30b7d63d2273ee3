// Public exports of @catenae/core. Loading reflect-metadata here means a user never imports it.
import 'reflect-metadata';

export { CatenaeError, ErrorCode, isCatenaeError, type CatenaeErrorOptions } from './errors.js';
export { ExitCode, exitCodeOf } from './exit-code.js';
export { errorFields, stackTrace, type ErrorFields, type CauseFields } from './runtime/error-fields.js';
export { Electron, isElectron, type ElectronInit, type Headers } from './electron.js';

export { Link } from './decorators/link.js';
export { Transform } from './decorators/transform.js';
export { Generator } from './decorators/generator.js';
export { Rpc } from './decorators/rpc.js';
export { Table } from './decorators/table.js';
export { WindowClosed } from './decorators/window-closed.js';
export type { KeyedTable, TableKey } from './state/keyed-table.js';
export type { TimeWindow, WindowedTable } from './state/windowed-table.js';
export type { ShardId, ShardStore, StateStoreFactory, StoredEntry } from './state/state-store.js';
export { registerStateStore, type StateStoreCreator } from './state/state-store-registry.js';
export { defineLink, type LinkSpec, type TransformFn, type GeneratorFn, type HookFn } from './registry/define-link.js';
export { exploreLink, isLinkClass } from './registry/explore-link.js';
export { resolveLink, linksOfModule, checkUniqueNames, type LinkLike } from './registry/resolve-link.js';
export { isLinkDefinition } from './registry/link-definition.js';
export type {
  ExecutionMode,
  GeneratorOptions,
  GeneratorSpec,
  InputFormat,
  InputMode,
  LinkDefinition,
  LinkOptions,
  OnError,
  TransformSpec,
  Duration,
  TableOptions,
  TableSpec,
  WindowOptions,
} from './registry/link-definition.js';

export type { Codec } from './codec/codec.js';
export { transparentCodec } from './codec/transparent.js';
export { jsonCodec } from './codec/json.js';
export { AvroCodec } from './codec/avro.js';
export { ElectronCodec } from './codec/electron-codec.js';
export { CODEC_HEADER, AVRO_SCHEMA_HEADER } from './codec/codec-header.js';

export { Context, type SendOptions, type LoopOptions } from './runtime/context.js';
export { RpcClient, type RpcTarget, type CallOptions, type RpcProxy } from './runtime/rpc/rpc-client.js';
export type { RpcCaller } from './runtime/rpc/rpc-envelope.js';
export { startLink, processEmbeddedBroker } from './runtime/start-link.js';
export type { LinkHandle, LinkExit } from './runtime/link-handle.js';
export type { LogFormat, LogLevel, StartOptions } from './runtime/start-options.js';
export { registerKafkaTransport, type KafkaTransportCreator } from './runtime/transport-registry.js';
export { instanceUid } from './runtime/uid.js';
export { DeadLetterHeader } from './runtime/dead-letter-header.js';
export {
  INSTANCES_TOPIC,
  parseAnnouncement,
  type InstanceAnnouncement,
  type AnnouncedState,
  type AnnouncedError,
  type TopicFigures,
} from './announce/announcement.js';
export {
  DiagnosticsChannel,
  type ConsumedMessage,
  type ConsumerLagMessage,
  type FailedMessage,
  type HandledMessage,
  type LinkStateMessage,
  type ProducedMessage,
  type RebalanceMessage,
  type RestoreMessage,
  type LateMessage,
  type TableSizesMessage,
  type RpcCallMessage,
  type TransportErrorMessage,
  type TransportLogMessage,
} from './diagnostics.js';

export type { Store, StoreConnector, StoreDefaults, GetOptions } from './store/store.js';
export { registerStoreConnector, type StoreKind } from './store/store-registry.js';

export { EmbeddedBroker, type EmbeddedBrokerOptions } from './broker/embedded-broker.js';
export { EmbeddedTransportFactory } from './broker/embedded-transport.js';
export { TestDriver, type TestDriverOptions } from './testing/test-driver.js';
export { murmur2, partitionForKey } from './partition/murmur2.js';

export type {
  MessageHeader,
  OutgoingRecord,
  PartitionOffset,
  PartitionWatermarks,
  RawRecord,
  TopicPartition,
  TopicSpec,
} from './transport/records.js';
export type { PartitionReader, RebalanceListener, Transport, TransportFactory, TransportOptions, TransportTransactions } from './transport/transport.js';
export { TRANSACTION_MEMBERSHIP_LOST } from './transport/transport.js';
export { settleListener } from './transport/settle-listener.js';
