/**
 * Mocha hooks that make every client started in the enclosing `describe` send file data in
 * datagrams of `bytes` (PEERCHAT_DATAGRAM_BYTES, read by ChatClient.pathDatagramBytes) instead of
 * probing the path, which on loopback would pick 65,000 bytes. At 1200 bytes file data travels
 * in records (docs/protocol.md, "Records"). The variable is restored afterwards.
 */
export function useDatagramBytes(bytes: number): void {
  let saved: string | undefined;
  before(() => {
    saved = process.env.PEERCHAT_DATAGRAM_BYTES;
    process.env.PEERCHAT_DATAGRAM_BYTES = String(bytes);
  });
  after(() => {
    if (saved === undefined) delete process.env.PEERCHAT_DATAGRAM_BYTES;
    else process.env.PEERCHAT_DATAGRAM_BYTES = saved;
  });
}
