/** Orders in which a receiver may write a file's chunks (hasher and writer tests). */

/** 0, 1, …, n - 1. */
export const inOrder = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Every chunk once, in a random order. */
export const shuffled = (n: number, rnd: () => number): number[] => {
  const a = inOrder(n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

/** Mostly in order, some chunks late (as after a loss and its retransmission), some twice. */
export const lossy = (n: number, rnd: () => number): number[] => {
  const first: number[] = [];
  const late: number[] = [];
  for (let i = 0; i < n; i++) (rnd() < 0.05 ? late : first).push(i);
  const dup = first.filter(() => rnd() < 0.03);
  return [...first, ...dup, ...late, ...late.filter(() => rnd() < 0.5)];
};
