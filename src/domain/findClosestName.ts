/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean" hints. */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1]?.[j] ?? 0) + 1, (d[i]?.[j - 1] ?? 0) + 1, (d[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[i - 2]?.[j - 2] ?? 0) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return d[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}

/**
 * The candidate closest to `word`, when it is close enough to be a plausible typo or
 * prefix (a third of the word's length, at least 2 edits), or when one contains the other.
 * Undefined when nothing is close: a wrong hint is worse than none.
 */
export function findClosestName(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const name of candidates) {
    if (name === word) continue;
    const contained = name.includes(word) || word.includes(name);
    const score = contained ? Math.abs(name.length - word.length) / 100 : distance(word, name);
    if (!contained && score > limit) continue;
    if (best === undefined || score < best.score) best = { name, score };
  }
  return best?.name;
}
