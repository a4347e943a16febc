/**
 * The accept rate of `Deliveries.enqueue` (validated, event type checked
 * against the cached catalog, committed with `synchronous=FULL`) next to a
 * bare better-sqlite3 INSERT of the same JSON into a file with the same
 * pragmas, one at a time, in the same process, in alternating rounds after
 * a warm-up: enqueues one at a time, and `BENCH_CONCURRENCY` (default 32)
 * at once, as a server's requests arrive (they commit together). The
 * target is a ratio of at least 0.5. Each line also gives the CPU time per
 * event: on a shared machine, an event's CPU costs more than its own time,
 * waiting for a core.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEvent } from "@entrata-events/core"
import { ApplicantEventsLive, PropexoConfig } from "@entrata-events/propexo"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { Deliveries, DeliveryStore } from "../src/index.js"

const OPS = Number(process.env.BENCH_OPS ?? 400)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)

const { DEMO } = Seed
const input = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds["Call-Outgoing"],
  event_datetime: "2026-11-28T21:30:00Z",
  call_phone_number_from: "(403) 555-1234",
  call_phone_number_to: "+13035550100",
  call_status: "ANSWER",
  call_duration: 312,
  call_audio_link: "https://calls.example.com/r/1",
  notes: "Benchmark"
} as const
const decoded = ApplicantEvent.decode(input)
if (Either.isLeft(decoded)) throw decoded.left
const body = ApplicantEvent.toJson(decoded.right)

// better-sqlite3 is @effect/sql-sqlite-node's dependency, not this package's:
// load the very copy the store uses, from where that package resolves it.
interface BareStatement {
  readonly run: (...params: ReadonlyArray<unknown>) => unknown
}
interface BareDatabase {
  readonly pragma: (source: string) => unknown
  readonly exec: (source: string) => unknown
  readonly prepare: (source: string) => BareStatement
  readonly close: () => unknown
}
const sqliteClientPath = createRequire(import.meta.url).resolve("@effect/sql-sqlite-node/SqliteClient")
// `require` answers `unknown`; better-sqlite3's default export is this constructor.
const Database = createRequire(sqliteClientPath)("better-sqlite3") as new(filename: string) => BareDatabase

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-bench-"))

const bare = new Database(path.join(dir, "bare.sqlite"))
bare.pragma("journal_mode = WAL")
bare.pragma("synchronous = FULL")
bare.pragma("foreign_keys = ON")
bare.pragma("busy_timeout = 5000")
bare.exec("CREATE TABLE deliveries (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
const insert = bare.prepare("INSERT INTO deliveries (body) VALUES (?)")

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const main = Effect.gen(function*() {
  const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
  const client = ApplicantEventsLive.layer().pipe(
    Layer.provide(PropexoConfig.layer({ token: sandbox.token, baseUrl: sandbox.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const runtime = ManagedRuntime.make(
    Deliveries.layer().pipe(
      Layer.provide(DeliveryStore.layer({ filename: path.join(dir, "ledger.sqlite") })),
      Layer.provide(client)
    )
  )
  const deliveries = yield* Effect.promise(() => runtime.runPromise(Deliveries.Deliveries))
  const enqueue = () => runtime.runPromise(deliveries.enqueue(input))

  interface Timing {
    /** Wall time per event, ns. */
    readonly wall: number
    /** This process's CPU time per event, ns. */
    readonly cpu: number
  }
  const timed = async (run: () => Promise<void> | void): Promise<Timing> => {
    const start = process.hrtime.bigint()
    const cpu = process.cpuUsage()
    await run()
    const used = process.cpuUsage(cpu)
    return { wall: Number(process.hrtime.bigint() - start) / OPS, cpu: (used.user + used.system) * 1_000 / OPS }
  }
  const timeBare = () =>
    timed(() => {
      for (let i = 0; i < OPS; i++) insert.run(body)
    })
  const timeEnqueue = (concurrency: number) =>
    timed(async () => {
      let next = 0
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next++ < OPS) await enqueue()
      }))
    })

  yield* Effect.promise(async () => {
    // Warm-up: the JIT, the prepared statements, the catalog's cache.
    await timeBare()
    await timeEnqueue(1)
    await timeEnqueue(CONCURRENCY)
    const sides = { bare: () => timeBare(), one: () => timeEnqueue(1), many: () => timeEnqueue(CONCURRENCY) }
    type Side = keyof typeof sides
    const rounds: Array<Record<Side, Timing>> = []
    const order: ReadonlyArray<Side> = ["bare", "one", "many"]
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate which goes first, so that none always runs on the warmer machine.
      const result: Partial<Record<Side, Timing>> = {}
      for (let i = 0; i < order.length; i++) {
        const side = order[(round + i) % order.length]!
        result[side] = await sides[side]()
      }
      // Every side ran once in the loop above.
      rounds.push(result as Record<Side, Timing>)
    }
    const of = (side: Side, f: (t: Timing) => number) => median(rounds.map((r) => f(r[side])))
    const micros = (ns: number) => `${(ns / 1_000).toFixed(1).padStart(7)} µs`
    const line = (label: string, side: Side) =>
      `  ${label.padEnd(50)} ${micros(of(side, (t) => t.wall))}/event (CPU ${micros(of(side, (t) => t.cpu))})`
    const ratio = (side: Side) => median(rounds.map((r) => r.bare.wall / r[side].wall)).toFixed(2)
    console.log(`\nAccept rate, ${OPS} events per round, median of ${ROUNDS} rounds`)
    console.log(line("bare better-sqlite3 INSERT (WAL, synchronous=FULL)", "bare"))
    console.log(line("Deliveries.enqueue, one at a time", "one"))
    console.log(line(`Deliveries.enqueue, ${CONCURRENCY} at once`, "many"))
    console.log(`  ratio (enqueue rate / bare rate), one at a time: ${ratio("one")} (target: at least 0.5)`)
    console.log(`  ratio (enqueue rate / bare rate), ${CONCURRENCY} at once: ${ratio("many")} (target: at least 0.5)`)
    await runtime.dispose()
  })
}).pipe(
  Effect.scoped,
  Effect.ensuring(Effect.sync(() => {
    bare.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }))
)

Effect.runPromise(main).catch((error) => {
  console.error(error)
  process.exit(1)
})
