import * as DateTime from "effect/DateTime"
import { measure, table } from "../../../bench/harness.js"
import { MountainTime } from "../src/index.js"
import { denverReference } from "../test/intlReference.js"

// Instants spread over 2000-2040, so the cached rules of many spans are used.
const N = 1 << 16
const instants = new Float64Array(N)
let seed = 42
for (let i = 0; i < N; i++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  instants[i] = Date.UTC(2000, 0, 1) + Math.floor((seed / 2 ** 31) * (Date.UTC(2040, 0, 1) - Date.UTC(2000, 0, 1)))
}
const at = (i: number) => instants[i & (N - 1)]!

const denver = DateTime.zoneUnsafeMakeNamed("America/Denver")

for (let i = 0; i < N; i++) {
  if (MountainTime.format(at(i)) !== denverReference(at(i))) throw new Error(`disagreement at ${at(i)}`)
}

const results = measure([
  { name: "Intl formatToParts (formatter built once)", run: (i) => denverReference(at(i)) },
  {
    name: "effect DateTime.formatIsoOffset",
    run: (i) => DateTime.formatIsoOffset(DateTime.unsafeMakeZoned(at(i), { timeZone: denver }))
  },
  { name: "MountainTime.format", run: (i) => MountainTime.format(at(i)) },
  { name: "MountainTime.timeOfDay", run: (i) => MountainTime.timeOfDay(at(i)) }
], { ops: 100_000, rounds: 9 })

table("core: instant -> Mountain Time ISO string (median of 9 rounds of 100k)", results,
  "Intl formatToParts (formatter built once)")

const walls = Array.from({ length: 1024 }, (_, i) => MountainTime.format(at(i)).slice(0, 19))
table("core: wall clock -> instant", measure([
  {
    name: "effect DateTime.makeZoned (disambiguation)",
    run: (i) => DateTime.makeZoned(walls[i & 1023]!.replace("T", " "), { timeZone: denver, adjustForTimeZone: true })
  },
  { name: "MountainTime.fromWallClock", run: (i) => MountainTime.fromWallClock(walls[i & 1023]!, { disambiguation: "compatible" }) }
], { ops: 20_000, rounds: 5 }), "effect DateTime.makeZoned (disambiguation)")
