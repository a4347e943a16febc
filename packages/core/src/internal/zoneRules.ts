import { MS_PER_DAY, MS_PER_SECOND, msFromFields } from "./calendar.js"

/**
 * The UTC offset of a time zone at any instant, with the runtime's time-zone
 * database (Intl) as the only source of truth.
 *
 * Asking Intl costs microseconds, so the rules are learnt once per span of
 * time: a bucket of ~99 days holds the offset at its start and every
 * transition inside it, found by probing Intl once a day and bisecting to the
 * second. Afterwards an offset is a cached-array comparison. Two transitions
 * less than a day apart would be seen as one; the tz database has none in any
 * zone a property manager would use.
 */

const BUCKET_MS = 2 ** 33
const PROBE_STEP_MS = MS_PER_DAY

interface Bucket {
  readonly initial: number
  /** Instants (ms) at which the offset changes, ascending. */
  readonly at: ReadonlyArray<number>
  /** The offset from each instant in `at` on. */
  readonly offsets: ReadonlyArray<number>
}

/** @internal */
export class ZoneRules {
  readonly #format: Intl.DateTimeFormat
  readonly #buckets = new Map<number, Bucket>()
  #lastKey = Number.NaN
  #last: Bucket | undefined = undefined

  constructor(readonly timeZone: string, format: Intl.DateTimeFormat) {
    this.#format = format
  }

  /** The offset (ms to add to UTC) in force at `ms`. */
  offsetAt(ms: number): number {
    const key = Math.floor(ms / BUCKET_MS)
    let bucket = key === this.#lastKey ? this.#last : this.#buckets.get(key)
    if (bucket === undefined) {
      bucket = this.#learn(key)
      this.#buckets.set(key, bucket)
    }
    this.#lastKey = key
    this.#last = bucket
    let offset = bucket.initial
    for (let i = 0; i < bucket.at.length; i++) {
      if (ms < bucket.at[i]!) break
      offset = bucket.offsets[i]!
    }
    return offset
  }

  /** What Intl itself says the offset is at `ms` (whole seconds). */
  intlOffsetAt(ms: number): number {
    const second = Math.floor(ms / MS_PER_SECOND) * MS_PER_SECOND
    let year = 0, month = 0, day = 0, hours = 0, minutes = 0, seconds = 0, bc = false
    for (const part of this.#format.formatToParts(second)) {
      switch (part.type) {
        case "year":
          year = Number(part.value)
          break
        case "month":
          month = Number(part.value)
          break
        case "day":
          day = Number(part.value)
          break
        case "hour":
          hours = Number(part.value)
          break
        case "minute":
          minutes = Number(part.value)
          break
        case "second":
          seconds = Number(part.value)
          break
        case "era":
          bc = part.value === "B"
          break
      }
    }
    if (bc) year = 1 - year
    return msFromFields({ year, month, day, hours, minutes, seconds }) - second
  }

  #learn(key: number): Bucket {
    const start = key * BUCKET_MS
    const end = start + BUCKET_MS
    const initial = this.intlOffsetAt(start)
    const at: Array<number> = []
    const offsets: Array<number> = []
    let lo = start
    let loOffset = initial
    while (lo < end) {
      const hi = Math.min(lo + PROBE_STEP_MS, end)
      const hiOffset = this.intlOffsetAt(hi)
      if (hiOffset !== loOffset) {
        const change = this.#bisect(lo, hi, loOffset)
        if (change < end) {
          at.push(change)
          offsets.push(this.intlOffsetAt(change))
        }
      }
      lo = hi
      loOffset = hiOffset
    }
    return { initial, at, offsets }
  }

  /** The first whole second in (lo, hi] whose offset is not `loOffset`. */
  #bisect(lo: number, hi: number, loOffset: number): number {
    let a = Math.floor(lo / MS_PER_SECOND)
    let b = Math.ceil(hi / MS_PER_SECOND)
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2)
      if (this.intlOffsetAt(mid * MS_PER_SECOND) === loOffset) a = mid
      else b = mid
    }
    return b * MS_PER_SECOND
  }
}

const zones = new Map<string, ZoneRules>()

/**
 * The rules of an IANA zone, or `undefined` when the runtime does not know
 * the zone. Zone names are matched as Intl matches them (case-insensitively)
 * and cached under the spelling given; unknown names are not cached, so
 * untrusted input cannot grow the cache.
 *
 * @internal
 */
export const zoneRules = (timeZone: string): ZoneRules | undefined => {
  const cached = zones.get(timeZone)
  if (cached !== undefined) return cached
  try {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "narrow",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    const rules = new ZoneRules(format.resolvedOptions().timeZone, format)
    zones.set(timeZone, rules)
    return rules
  } catch {
    return undefined
  }
}
