/**
 * test/support/netLab.ts for the benchmarks: bench/harness.mjs `loadNetLab()` bundles this file
 * with esbuild into bench/.build/netLabEntry.cjs and requires it, so bench/pathLab.mjs builds its
 * namespaces with the same library the network-lab tests use.
 */
export { NetLab, netLabAvailable } from '../test/support/netLab';
export type { Host, Segment, HostCounters } from '../test/support/netLab';
