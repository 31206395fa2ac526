/**
 * This user's identity key: generated once, kept in SecretStorage (the OS keychain where there
 * is one), never in settings or globalState. The fingerprint peers pin is derived from it.
 */
import { deserializeIdentity, generateIdentity, serializeIdentity, type Identity } from '../crypto/identity';

/** The part of vscode.SecretStorage used here. */
export interface SecretStorageLike {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

export const IDENTITY_SECRET_KEY = 'peerchat.identity';

/**
 * Loads the stored identity, or makes and stores a new one. A stored value that cannot be read
 * (corrupted, or from an incompatible version) is replaced, and `onReplaced` says so: peers
 * will then see a new fingerprint for this nickname.
 */
export async function loadOrCreateIdentity(secrets: SecretStorageLike, onReplaced?: (err: unknown) => void): Promise<Identity> {
  const stored = await secrets.get(IDENTITY_SECRET_KEY);
  if (stored) {
    try {
      return deserializeIdentity(stored);
    } catch (err) {
      onReplaced?.(err);
    }
  }
  // `await` whether generation is synchronous or not.
  const identity = await generateIdentity();
  await secrets.store(IDENTITY_SECRET_KEY, serializeIdentity(identity));
  return identity;
}

/** Relay invitation secrets, one per relay address. */
export function relaySecretKey(relay: string): string {
  return `peerchat.relaySecret:${relay}`;
}
