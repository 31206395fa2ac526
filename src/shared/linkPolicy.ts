/**
 * Which links from a message the chat opens: absolute `http:`, `https:` and `mailto:` URLs
 * with nothing hidden in them. The webview shows any other link as plain text, and the host
 * checks again before it asks VS Code to open one (`env.openExternal`). Pure.
 */

/** The only link schemes a message may carry. */
export const LINK_SCHEMES: readonly string[] = ['http:', 'https:', 'mailto:'];

/** Longest URL kept as a link (longer ones stay text): no real link needs more. */
export const MAX_LINK_LENGTH = 2_048;

/** True for an absolute http(s) URL with a host and no credentials, or a mailto URL. */
export function isSafeLinkUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_LINK_LENGTH) return false;
  // Control characters and spaces can hide a scheme ("java\nscript:") from a naive reader.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!LINK_SCHEMES.includes(parsed.protocol)) return false;
  // "https://bank.example@evil.example" reads as the bank; such links are not offered.
  if (parsed.protocol !== 'mailto:' && (parsed.username !== '' || parsed.password !== '' || parsed.hostname === '')) return false;
  return true;
}
