/**
 * What the extension says when something a user did fails, and which next steps it offers as
 * buttons. Pure: the host turns `actions` into `showErrorMessage` buttons (errorReporter.ts).
 * The code names (ErrorCode) are the same ones the terminal client prints.
 */
import { ERROR_HINTS, type ErrorCode } from '../protocol/errors';

export type NextStep =
  | 'startRelay'
  | 'retry'
  | 'changeNickname'
  | 'setRelaySecret'
  | 'openSettings'
  | 'showLog'
  | 'join'
  | 'stopTrying';

export const NEXT_STEP_LABELS: Record<NextStep, string> = {
  startRelay: 'Start Relay',
  retry: 'Try Again',
  changeNickname: 'Change Nickname',
  setRelaySecret: 'Set Relay Secret',
  openSettings: 'Open Settings',
  showLog: 'Show Log',
  join: 'Join Chat',
  stopTrying: 'Stop Trying',
};

export interface ErrorDescription {
  message: string;
  actions: NextStep[];
}

export interface ErrorContext {
  /** `host:port` of the relay involved. */
  relay?: string;
  /** The relay is on this machine (Start Relay can help). */
  relayIsLocal?: boolean;
  /** A relay started by this window is already running. */
  relayRunning?: boolean;
  /** The nickname involved. */
  nick?: string;
  /** The autoStartRelay setting: 'never' hides the Start Relay offer. */
  autoStartRelay?: 'ask' | 'always' | 'never';
  /** The client keeps trying (a join waiting for the relay to answer). */
  stillTrying?: boolean;
  /** The other relays of the cluster in peerchat.relayAddress (`host:port, …`), if it lists several. */
  otherRelays?: string;
}

/** Message and next steps for a failure while joining or using the chat. */
export function describeError(code: ErrorCode, detail: string | undefined, ctx: ErrorContext = {}): ErrorDescription {
  const relay = ctx.relay ?? 'the relay';
  switch (code) {
    case 'NICK_TAKEN':
      return {
        message: `The nickname "${ctx.nick ?? ''}" is already in use on ${relay}. Choose another one.`,
        actions: ['changeNickname'],
      };
    case 'NICK_INVALID':
      return { message: `"${ctx.nick ?? ''}" cannot be used as a nickname. ${ERROR_HINTS.NICK_INVALID}`, actions: ['changeNickname'] };
    case 'RELAY_UNREACHABLE': {
      const offerStart = ctx.relayIsLocal === true && ctx.relayRunning !== true && ctx.autoStartRelay !== 'never';
      if (ctx.stillTrying) {
        return {
          message: offerStart
            ? `No relay answers at ${relay} yet; still trying. Start one in this window, or check peerchat.relayAddress.`
            : `No relay answers at ${relay} yet; still trying. Check that it is running and that peerchat.relayAddress is right.`,
          actions: offerStart ? ['startRelay', 'openSettings', 'stopTrying'] : ['openSettings', 'stopTrying', 'showLog'],
        };
      }
      return {
        message: offerStart
          ? `No relay answers at ${relay}. Start one in this window, or check peerchat.relayAddress.`
          : `No relay answers at ${relay}. Check that it is running and that peerchat.relayAddress is right.`,
        actions: offerStart ? ['startRelay', 'retry', 'openSettings'] : ['retry', 'openSettings', 'showLog'],
      };
    }
    case 'BAD_SECRET':
      return { message: `The relay at ${relay} wants an invitation secret, and the one given is missing or wrong.`, actions: ['setRelaySecret', 'showLog'] };
    case 'RELAY_FULL':
      // With a list the client tried every relay of it (docs/protocol.md "Registration").
      return ctx.otherRelays
        ? { message: `Every relay of ${relay}, ${ctx.otherRelays} is full. Try again later, or add another relay of the cluster to peerchat.relayAddress.`, actions: ['retry', 'openSettings'] }
        : { message: `The relay at ${relay} is full. Try again later or use another relay.`, actions: ['retry', 'openSettings'] };
    case 'RELAY_SHUTDOWN':
      return { message: `The relay at ${relay} is shutting down.`, actions: ['retry', 'showLog'] };
    case 'NOT_REGISTERED':
      return { message: 'You have not joined the chat yet.', actions: ['join'] };
    default:
      return { message: detail && detail.trim() !== '' ? detail : ERROR_HINTS[code], actions: ['showLog'] };
  }
}

/** The shape of PeerChatError without importing the class (works across bundles too). */
export function errorCodeOf(err: unknown): ErrorCode | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code in ERROR_HINTS ? (code as ErrorCode) : undefined;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
