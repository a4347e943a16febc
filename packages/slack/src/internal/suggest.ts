/**
 * "Did you mean …?" for mistyped keys and event type names.
 */

const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `typed`, ignoring case: the shortest one it
 * begins, else the fewest edits away (the first of equals).
 *
 * @internal
 */
export const closest = (typed: string, candidates: ReadonlyArray<string>): string | undefined => {
  // Nothing a person means is longer; a pasted essay must not cost seconds.
  const word = typed.toLowerCase().slice(0, 64)
  const prefixed = candidates
    .filter((c) => word !== "" && c.toLowerCase().startsWith(word))
    .sort((a, b) => a.length - b.length)[0]
  if (prefixed !== undefined) return prefixed
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const d = distance(word, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
