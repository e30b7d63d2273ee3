// Public exports of @catenae/core. Loading reflect-metadata here means a user never imports it.
import 'reflect-metadata';

export { CatenaeError, ErrorCode, isCatenaeError } from './errors.js';
export { Electron, isElectron, type ElectronInit, type Headers } from './electron.js';
export type { Codec } from './codec/codec.js';
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
} from './registry/link-definition.js';
export type {
  MessageHeader,
  OutgoingRecord,
  PartitionOffset,
  RawRecord,
  TopicPartition,
  TopicSpec,
} from './transport/records.js';
export type {
  RebalanceListener,
  Transport,
  TransportFactory,
  TransportOptions,
} from './transport/transport.js';
export type { LogFormat, LogLevel, StartOptions } from './runtime/start-options.js';
