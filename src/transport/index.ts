/**
 * The transport layer: reliability over datagrams, no sockets, no crypto, no chat semantics.
 * See each module's header for the rules it follows; limits.ts holds every limit.
 */
export * from './limits';
export * from './frames';
export { RttEstimator } from './rttEstimator';
export { ReliableChannel } from './reliableChannel';
export type { ReliableChannelOptions, ReliableChannelStats } from './reliableChannel';
export { ChunkMap } from './chunkMap';
export { Pacer } from './pacer';
export { createCongestionController } from './congestionController';
export type {
  AckEvent,
  CongestionControlKind,
  CongestionController,
  LossEvent,
  RateSample,
} from './congestionController';
export { BbrController } from './bbrController';
export { NewRenoController } from './newRenoController';
export { TransferSender } from './transferSender';
export type {
  SenderAttachment,
  TransferFailureCode,
  TransferSenderEvents,
  TransferSenderOptions,
  TransferSenderState,
  TransferSenderStats,
} from './transferSender';
export { TransferReceiver, probeAckFor } from './transferReceiver';
export type { TransferReceiverEvents, TransferReceiverOptions, TransferReceiverStats } from './transferReceiver';
export { SendScheduler } from './sendScheduler';
export type { SendSchedulerOptions } from './sendScheduler';
export { DatagramSizeProbe, DatagramSizeProber, probePaddingFor } from './datagramSizeProbe';
export type { DatagramSizeProbeOptions, DatagramSizeProberOptions, ProbeRequest } from './datagramSizeProbe';
