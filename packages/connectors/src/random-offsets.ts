/**
 * `n` distinct offsets drawn uniformly from `[0, total)` (all of them, shuffled, when `n >= total`),
 * with Floyd's algorithm: O(n) whatever `total` is. `random` returns a float in `[0, 1)`.
 */
export function randomOffsets(total: number, n: number, random: () => number = Math.random): number[] {
  if (n >= total) {
    const all = Array.from({ length: total }, (_, i) => i);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all;
  }
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen];
}
