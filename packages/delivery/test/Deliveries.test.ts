import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@entrata-events/sandbox"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Deliveries } from "../src/Deliveries.js"
import { Delivery, type DeliveryStatus } from "../src/Delivery.js"
import { DeliveryLedger } from "../src/DeliveryLedger.js"
import {
  callEvent,
  CARLOS,
  clientLayer,
  creates,
  DEMO,
  enqueue,
  envLayer,
  get,
  JANE,
  logging,
  noteFor,
  notesEvent,
  OTHER,
  start,
  statusesOf,
  tempFile
} from "./helpers.js"

/** A sandbox, a ledger file and `Deliveries` on them, without a deliverer. */
const withDeliveries = <A, E>(
  f: (sandbox: Sandbox.SandboxService, file: string) => Effect.Effect<A, E, Deliveries | DeliveryLedger | SqlClient.SqlClient>
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
    const file = yield* tempFile
    return yield* f(sandbox, file).pipe(
      Effect.provide(envLayer(file, clientLayer(sandbox), { deliverer: false })),
      Effect.provide(logging)
    )
  })

/** Moves a delivery as the deliverer would, through the ledger. */
const move = (id: string, from: "queued" | "sending" | "sent", to: "sending" | "sent" | "failed" | "ambiguous") =>
  Effect.flatMap(DeliveryLedger, (ledger) =>
    ledger.transition(id, {
      from,
      to,
      at: Date.now(),
      reason: `test: ${to}`,
      countAttempt: to === "sending",
      set: to === "sent" ? { job_id: "cmjob", write_status: "PENDING" } : to === "failed" ? { errors: ["Entrata: no"] } : {}
    }))

describe("Deliveries.enqueue", () => {
  it.scopedLive("commits a queued delivery with the exact body and answers its id; nothing is sent inline", () =>
    withDeliveries((sandbox) =>
      Effect.gen(function*() {
        const enqueued = yield* enqueue({ ...callEvent, notes: "Called back" })
        expect(enqueued).toEqual({ id: expect.stringMatching(/^dlv_[0-9a-z]{26}$/), status: "queued", replayed: false })
        const delivery = yield* get(enqueued.id)
        expect(delivery.status).toBe("queued")
        expect(delivery.attempts).toBe(0)
        expect(delivery.job_id).toBeNull()
        // The wire form: Mountain Time, E.164.
        expect(delivery.body.event_datetime).toBe("2026-11-28T14:30:00-07:00")
        expect(delivery.body.call_phone_number_from).toBe("+14035551234")
        expect(statusesOf(delivery)).toEqual(["queued"])
        expect(delivery.history[0]).toMatchObject({ from: null, attempt: 0, reason: "accepted" })
        expect(DateTime.toEpochMillis(delivery.created_at)).toBeLessThanOrEqual(Date.now())
        expect(creates(yield* sandbox.requests)).toEqual([])
      })))

  it.scopedLive("refuses an invalid event with every problem at once, and records nothing", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(enqueue({ ...notesEvent, event_datetime: "2026-11-28 14:30", call_duration: 90_000 }))
        expect(error._tag).toBe("InvalidApplicantEvent")
        if (error._tag === "InvalidApplicantEvent") {
          expect(error.issues.map((i) => i.path).sort()).toEqual(["call_duration", "event_datetime"])
        }
        expect((yield* Effect.flatMap(Deliveries, (d) => d.list())).items).toEqual([])
      })))

  it.scopedLive("checks the fields the event type's kind needs, and refuses an unknown event type", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const { call_audio_link: _a, call_status: _s, ...partial } = callEvent
        const missing = yield* Effect.flip(enqueue(partial))
        expect(missing).toMatchObject({
          _tag: "InvalidApplicantEvent",
          issues: [{ path: "call_status" }, { path: "call_audio_link" }]
        })
        const unknown = yield* Effect.flip(enqueue({ ...notesEvent, event_type_id: "cmnosuchtype00000000000000" }))
        expect(unknown).toMatchObject({ _tag: "InvalidApplicantEvent", issues: [{ path: "event_type_id" }] })
        expect((yield* Effect.flatMap(Deliveries, (d) => d.list())).items).toEqual([])
      })))

  it.scopedLive("accepts an event unchecked while the catalog cannot be read", () =>
    withDeliveries((sandbox) =>
      Effect.gen(function*() {
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        const { call_audio_link: _a, ...partial } = callEvent
        const enqueued = yield* enqueue(partial)
        expect(enqueued.status).toBe("queued")
        // The next enqueues do not ask a catalog that just failed.
        expect((yield* enqueue(notesEvent)).status).toBe("queued")
        expect(creates(yield* sandbox.requests)).toEqual([])
        expect((yield* sandbox.requests).filter((r) => r.path.startsWith("/v1/event-types/")).map((r) => r.status))
          .toEqual([503])
      })))

  it.scopedLive("accepts an event unchecked when the catalog does not answer in time", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
      const file = yield* tempFile
      yield* sandbox.setFaults({ latencyMs: 3_000 })
      const enqueued = yield* enqueue(notesEvent).pipe(
        Effect.provide(
          envLayer(file, clientLayer(sandbox), { deliverer: false, deliveries: { catalogTimeout: "100 millis" } })
        ),
        Effect.provide(logging)
      )
      expect(enqueued.status).toBe("queued")
    }))

  it.scopedLive("an idempotency key with the same body answers the first delivery, with another fails; per integration", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const first = yield* enqueue(notesEvent, { idempotencyKey: "trigger-1" })
        // The same event as written differently: the same body once validated.
        const again = yield* enqueue({ ...notesEvent, event_datetime: "2026-07-04T12:00:00-06:00" }, {
          idempotencyKey: "trigger-1"
        })
        expect(again).toEqual({ id: first.id, status: "queued", replayed: true })
        const reused = yield* Effect.flip(enqueue({ ...notesEvent, notes: "Something else" }, { idempotencyKey: "trigger-1" }))
        expect(reused).toMatchObject({
          _tag: "IdempotencyKeyReused",
          integration_id: DEMO.integrationId,
          idempotency_key: "trigger-1",
          id: first.id
        })
        expect(reused.message).toContain("another body")
        const elsewhere = yield* enqueue(
          {
            ...notesEvent,
            integration_id: OTHER.integrationId,
            applicant_id: OTHER.applicantId,
            application_id: OTHER.applicationId,
            event_type_id: OTHER.eventTypeIds.Notes
          },
          { idempotencyKey: "trigger-1" }
        )
        expect(elsewhere.id).not.toBe(first.id)
        expect(elsewhere.replayed).toBe(false)
        // A replay answers the delivery as it now stands.
        yield* move(first.id, "queued", "sending")
        expect(yield* enqueue(notesEvent, { idempotencyKey: "trigger-1" })).toEqual({
          id: first.id,
          status: "sending",
          replayed: true
        })
        const page = yield* Effect.flatMap(Deliveries, (d) => d.list())
        expect(page.items).toHaveLength(2)
      })))

  it.scopedLive("concurrent enqueues with one key make one delivery", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const results = yield* Effect.all(
          Array.from({ length: 8 }, () => enqueue(notesEvent, { idempotencyKey: "race" })),
          { concurrency: "unbounded" }
        )
        expect(new Set(results.map((r) => r.id)).size).toBe(1)
        expect(results.filter((r) => !r.replayed)).toHaveLength(1)
      })))

  it.scopedLive("many enqueues at once are committed together; each answers once its delivery can be read back", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const seen = yield* Effect.all(
          Array.from({ length: 100 }, (_, i) =>
            Effect.flatMap(
              enqueue(noteFor(i % 2 === 0 ? CARLOS : JANE, i), i % 10 === 0 ? { idempotencyKey: `batch-${i}` } : {}),
              // Read through the store's own client: it sees committed rows only.
              ({ id }) => sql<{ readonly id: string }>`SELECT id FROM deliveries WHERE id = ${id}`
            )),
          { concurrency: "unbounded" }
        )
        expect(seen.map((rows) => rows.length)).toEqual(Array(100).fill(1))
        expect(new Set(seen.map((rows) => rows[0]!.id)).size).toBe(100)
        // Keys taken in the batch hold.
        expect(yield* enqueue(noteFor(CARLOS, 20), { idempotencyKey: "batch-20" })).toMatchObject({ replayed: true })
      })))

  it.scopedLive("an enqueue while a transaction holds the file waits for it, then commits", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const first = yield* enqueue(noteFor(JANE, 1))
        const holding = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const transaction = yield* Effect.fork(sql.withTransaction(Effect.gen(function*() {
          yield* sql`UPDATE deliveries SET updated_at = updated_at + 1 WHERE id = ${first.id}`
          yield* Deferred.succeed(holding, undefined)
          yield* Deferred.await(release)
        })))
        yield* Deferred.await(holding)
        // The file is write-locked across this wait: the enqueue must not fail with SQLITE_BUSY.
        const second = yield* Effect.fork(enqueue(noteFor(JANE, 2)))
        // Let it reach its insert, whose commit runs on the next turn of the event loop, and that turn pass.
        yield* Effect.yieldNow()
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(transaction)
        const { id } = yield* Fiber.join(second)
        expect((yield* get(id)).status).toBe("queued")
      })))

  it.scopedLive("an idempotency key must be 1 to 255 visible characters", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        for (const key of ["", "has space", "x".repeat(256), "tab\t"]) {
          const error = yield* Effect.flip(enqueue(notesEvent, { idempotencyKey: key }))
          expect(error).toMatchObject({ _tag: "InvalidOption", field: "idempotencyKey" })
        }
        expect((yield* enqueue(notesEvent, { idempotencyKey: "x".repeat(255) })).replayed).toBe(false)
      })))

  it.scopedLive("durability: every committed delivery and transition is there after the file is closed and reopened", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
      const file = yield* tempFile
      const layer = envLayer(file, clientLayer(sandbox), { deliverer: false })
      const first = yield* start(layer)
      const ids = yield* first.run(
        Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) =>
          Effect.map(enqueue(noteFor(CARLOS, i), { idempotencyKey: `k-${i}` }), (e) => e.id))
      )
      yield* first.run(move(ids[0]!, "queued", "sending"))
      const before = yield* first.run(Effect.forEach(ids, get))
      yield* first.stop
      const second = yield* start(layer)
      const after = yield* second.run(Effect.forEach(ids, get))
      const encode = Schema.encodeSync(Schema.Array(Delivery))
      expect(encode(after)).toEqual(encode(before))
      expect(statusesOf(after[0]!)).toEqual(["queued", "sending"])
      // The keys survived too.
      expect(yield* second.run(enqueue(noteFor(CARLOS, 3), { idempotencyKey: "k-3" }))).toMatchObject({
        id: ids[3],
        replayed: true
      })
      yield* second.stop
    }).pipe(Effect.provide(logging)))
})

describe("Deliveries.get, cancel and retry", () => {
  it.scopedLive("get of an unknown id is DeliveryNotFound", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        for (const id of ["dlv_00000000000000000000000000", "../etc/passwd", ""]) {
          expect(yield* Effect.flip(get(id))).toMatchObject({ _tag: "DeliveryNotFound", id })
        }
      })))

  it.scopedLive("cancel works only while queued", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        const queued = yield* enqueue(noteFor(CARLOS, 1))
        const cancelled = yield* deliveries.cancel(queued.id)
        expect(cancelled.status).toBe("cancelled")
        expect(cancelled.completed_at).not.toBeNull()
        expect(cancelled.history.at(-1)).toMatchObject({ from: "queued", to: "cancelled", reason: "cancelled by an operator" })
        expect(yield* Effect.flip(deliveries.cancel(queued.id))).toMatchObject({
          _tag: "DeliveryNotCancellable",
          status: "cancelled"
        })
        const sending = yield* enqueue(noteFor(CARLOS, 2))
        yield* move(sending.id, "queued", "sending")
        const refused = yield* Effect.flip(deliveries.cancel(sending.id))
        expect(refused).toMatchObject({ _tag: "DeliveryNotCancellable", id: sending.id, status: "sending" })
        expect(refused.message).toContain("only a queued delivery")
        expect(yield* Effect.flip(deliveries.cancel("dlv_00000000000000000000000000"))).toMatchObject({
          _tag: "DeliveryNotFound"
        })
      })))

  it.scopedLive("retry queues a failed or ambiguous delivery again, recorded as an operator's; nothing else", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        const failed = yield* enqueue(noteFor(CARLOS, 1))
        yield* move(failed.id, "queued", "sending")
        yield* move(failed.id, "sending", "sent")
        yield* move(failed.id, "sent", "failed")
        const retried = yield* deliveries.retry(failed.id)
        expect(retried.status).toBe("queued")
        expect(retried.job_id).toBeNull()
        expect(retried.errors).toEqual([])
        expect(statusesOf(retried)).toEqual(["queued", "sending", "sent", "failed", "queued"])
        expect(retried.history.at(-1)).toMatchObject({
          from: "failed",
          attempt: 1,
          reason: "retried by an operator (was failed, job cmjob)"
        })

        const ambiguous = yield* enqueue(noteFor(CARLOS, 2))
        yield* move(ambiguous.id, "queued", "sending")
        yield* move(ambiguous.id, "sending", "ambiguous")
        expect((yield* deliveries.retry(ambiguous.id)).history.at(-1)).toMatchObject({
          from: "ambiguous",
          to: "queued",
          reason: "retried by an operator (was ambiguous)"
        })

        for (const status of ["queued", "sending"] as const) {
          const other = yield* enqueue(noteFor(CARLOS, status === "queued" ? 3 : 4))
          if (status === "sending") yield* move(other.id, "queued", "sending")
          const error = yield* Effect.flip(deliveries.retry(other.id))
          expect(error).toMatchObject({ _tag: "DeliveryNotRetryable", status })
        }
        expect(yield* Effect.flip(deliveries.retry("dlv_00000000000000000000000000"))).toMatchObject({
          _tag: "DeliveryNotFound"
        })
      })))
})

describe("Deliveries.backlog", () => {
  it.scopedLive("counts the unsettled deliveries by status, and tells the oldest queued one's acceptance", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        expect(yield* deliveries.backlog).toEqual({ queued: 0, sending: 0, sent: 0, ambiguous: 0, oldest_queued_at: null })
        const first = yield* enqueue(noteFor(CARLOS, 1))
        for (let i = 2; i <= 5; i++) yield* enqueue(noteFor(CARLOS, i))
        const [a, b, c] = (yield* deliveries.list({ status: "queued" })).items.map((d) => d.id)
        yield* move(a!, "queued", "sending")
        yield* move(b!, "queued", "sending")
        yield* move(b!, "sending", "ambiguous")
        yield* deliveries.cancel(c!)
        const backlog = yield* deliveries.backlog
        expect(backlog).toMatchObject({ queued: 2, sending: 1, sent: 0, ambiguous: 1 })
        expect(backlog.oldest_queued_at).toEqual((yield* get(first.id)).created_at)
      })))
})

describe("Deliveries.list", () => {
  it.scopedLive("pages newest first with a cursor, stable while deliveries arrive, filtered by status and integration", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        const ids: Array<string> = []
        for (let i = 0; i < 7; i++) ids.push((yield* enqueue(noteFor(CARLOS, i))).id)
        const other = yield* enqueue({
          ...notesEvent,
          integration_id: OTHER.integrationId,
          applicant_id: OTHER.applicantId,
          application_id: OTHER.applicationId,
          event_type_id: OTHER.eventTypeIds.Notes
        })
        yield* deliveries.cancel(ids[2]!)

        const seen: Array<string> = []
        let cursor: string | undefined
        let pages = 0
        do {
          const page = yield* deliveries.list({ integration_id: DEMO.integrationId, limit: 3, cursor })
          seen.push(...page.items.map((d) => d.id))
          cursor = page.next_cursor ?? undefined
          pages++
          // A delivery arriving between pages does not shift them.
          if (pages === 1) yield* enqueue(noteFor(CARLOS, 100))
        } while (cursor !== undefined)
        expect(pages).toBe(3)
        expect(seen).toEqual([...ids].reverse())

        const queued = yield* deliveries.list({ status: "queued", integration_id: [DEMO.integrationId] })
        expect(queued.items.map((d) => d.id)).not.toContain(ids[2])
        expect(queued.items.every((d) => d.status === "queued")).toBe(true)
        expect(queued.next_cursor).toBeNull()
        expect((yield* deliveries.list({ status: ["cancelled"] })).items.map((d) => d.id)).toEqual([ids[2]])
        expect((yield* deliveries.list({ integration_id: OTHER.integrationId })).items.map((d) => d.id)).toEqual([
          other.id
        ])
        expect((yield* deliveries.list({ integration_id: [] })).items).toEqual([])
        // Items carry their history.
        expect(statusesOf((yield* deliveries.list({ status: "cancelled" })).items[0]!)).toEqual(["queued", "cancelled"])
      })))

  it.scopedLive("refuses a bad limit, status or cursor, naming the option", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        for (
          const [options, field] of [
            [{ limit: 0 }, "limit"],
            [{ limit: 501 }, "limit"],
            [{ limit: 2.5 }, "limit"],
            [{ cursor: "abc" }, "cursor"],
            [{ cursor: "-1" }, "cursor"],
            // A caller's query string, not a typed value.
            [{ status: JSON.parse(`"done"`) }, "status"]
          ] as const
        ) {
          const error = yield* Effect.flip(deliveries.list(options))
          expect(error).toMatchObject({ _tag: "InvalidOption", field })
        }
      })))
})

describe("DeliveryLedger.transition", () => {
  it.scopedLive("transitions asked together are committed together; one that fails fails only its caller", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const ledger = yield* DeliveryLedger
        const ids = yield* Effect.forEach([1, 2, 3], (n) => Effect.map(enqueue(noteFor(JANE, n)), (e) => e.id))
        const cancel = (id: string) =>
          ledger.transition(id, { from: "queued", to: "cancelled", at: Date.now(), reason: "test: cancelled" })
        const [first, broken, third] = yield* Effect.all([
          cancel(ids[0]!),
          Effect.either(ledger.transition(ids[1]!, {
            from: "queued",
            // Not a status: the table's CHECK refuses it, as a broken transition would be.
            to: "lost" as DeliveryStatus,
            at: Date.now(),
            reason: "test: broken"
          })),
          cancel(ids[2]!)
        ], { concurrency: "unbounded" })
        expect(Option.map(first, (row) => row.status)).toEqual(Option.some("cancelled"))
        expect(Option.map(third, (row) => row.status)).toEqual(Option.some("cancelled"))
        expect(broken._tag === "Left" && broken.left._tag).toBe("SqlError")
        expect((yield* get(ids[1]!)).status).toBe("queued")
        expect(statusesOf(yield* get(ids[2]!))).toEqual(["queued", "cancelled"])
      })))
})

describe("Deliveries.changes and watch", () => {
  it.scopedLive("changes streams every committed transition, in order", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        // The subscription starts when the stream runs: probes (another
        // applicant's deliveries) are enqueued until the stream sees one.
        const started = yield* Deferred.make<void>()
        const collected = yield* deliveries.changes.pipe(
          Stream.tap(() => Deferred.succeed(started, undefined)),
          Stream.filter((change) => change.applicant_id !== OTHER.applicantId),
          Stream.take(4),
          Stream.runCollect,
          Effect.fork
        )
        while (!(yield* Deferred.isDone(started))) {
          yield* enqueue({
            ...notesEvent,
            integration_id: OTHER.integrationId,
            applicant_id: OTHER.applicantId,
            application_id: OTHER.applicationId,
            event_type_id: OTHER.eventTypeIds.Notes
          })
          yield* Effect.yieldNow()
        }
        const a = yield* enqueue(noteFor(CARLOS, 1))
        yield* move(a.id, "queued", "sending")
        yield* move(a.id, "sending", "sent")
        yield* deliveries.cancel((yield* enqueue(noteFor(CARLOS, 2))).id).pipe(Effect.asVoid)
        const changes = Chunk.toArray(yield* Fiber.join(collected))
        expect(changes.map((c) => [c.from, c.status])).toEqual([
          [null, "queued"],
          ["queued", "sending"],
          ["sending", "sent"],
          [null, "queued"]
        ])
        expect(changes[2]).toMatchObject({ id: a.id, integration_id: DEMO.integrationId, attempt: 1, job_id: "cmjob" })
      })))

  it.scopedLive("watch answers the delivery as it stands, then after each change, and ends when it is final", () =>
    withDeliveries(() =>
      Effect.gen(function*() {
        const deliveries = yield* Deliveries
        const a = yield* enqueue(noteFor(CARLOS, 1))
        const watching = yield* deliveries.watch(a.id).pipe(Stream.runCollect, Effect.fork)
        yield* move(a.id, "queued", "sending")
        yield* move(a.id, "sending", "sent")
        yield* move(a.id, "sent", "failed")
        const seen = Chunk.toArray(yield* Fiber.join(watching))
        // The first snapshot may already include changes made before the watch read it.
        expect(seen.at(-1)?.status).toBe("failed")
        expect(seen.at(-1)?.errors).toEqual(["Entrata: no"])
        const statuses = seen.map((d) => d.status)
        expect(statuses).toEqual([...new Set(statuses)])
        expect(["queued", "sending", "sent", "failed"]).toEqual(expect.arrayContaining(statuses))
        expect(yield* Effect.flip(Stream.runDrain(deliveries.watch("dlv_00000000000000000000000000")))).toMatchObject({
          _tag: "DeliveryNotFound"
        })
        // A final delivery's watch ends at once.
        expect(Chunk.toArray(yield* Stream.runCollect(deliveries.watch(a.id))).map((d) => d.status)).toEqual(["failed"])
        expect(Option.isSome(yield* Effect.flatMap(DeliveryLedger, (l) => l.find(a.id)))).toBe(true)
      })))
})
