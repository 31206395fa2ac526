/**
 * Sizes, durations and speeds as every front end shows them: the terminal client, the chat
 * panel and the extension's notifications. One unit system, IEC binary prefixes (1 KiB = 1,024
 * bytes), so 268,435,456 bytes reads "256 MiB" everywhere. Pure: no Node, no DOM.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** One decimal below this value of a unit ("9.5 KiB", "99.9 MiB"), none from it on ("256 MiB"). */
const WHOLE_FROM = 100;

function scaled(value: number): string {
  const digits = value >= WHOLE_FROM ? 0 : 1;
  return value.toFixed(digits).replace(/\.0$/, '');
}

/** 1536 → "1.5 KiB"; 268,435,456 → "256 MiB"; bytes below 1 KiB exactly ("1023 B"). */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return '? B';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  // 1023.96 KiB rounds to "1024 KiB": say "1 MiB" instead.
  if (Number(scaled(v)) >= 1024 && u < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[u + 1]}`;
  return `${scaled(v)} ${BYTE_UNITS[u]}`;
}

/** Bytes per second as "12.3 MiB/s" (undefined for no measurable time). */
export function formatRate(bytes: number, ms: number): string | undefined {
  if (!Number.isFinite(bytes) || !Number.isFinite(ms) || bytes < 0 || ms <= 0) return undefined;
  return `${formatBytes((bytes * 1000) / ms)}/s`;
}

/** 40 → "under 0.1 s"; 420 → "0.4 s"; 4,200 → "4.2 s"; 65,000 → "1 min 5 s"; 3,720,000 → "1 h 2 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 100) return 'under 0.1 s';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}
