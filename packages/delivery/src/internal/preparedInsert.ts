import { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createRequire } from "node:module"

/** What the ledger records of a new delivery (see `DeliveryLedger.NewDelivery`). @internal */
export interface InsertedDelivery {
  readonly id: string
  readonly integration_id: string
  readonly applicant_id: string
  readonly idempotency_key: string | null
  readonly body: string
  readonly at: number
}

/**
 * The enqueue's INSERT on SQLite, prepared once on a connection of its own
 * to the ledger's file, through better-sqlite3's own API.
 *
 * Why: through `@effect/sql` every statement costs about 100 µs of CPU
 * (the template, its compilation, a span, a scope, the connection's
 * semaphore, the prepared-statement cache) against about 8 µs for the
 * statement itself; on a loaded machine that CPU, not the fsync, decided
 * the enqueue's rate (0.26 of a bare INSERT's, for a target of 0.5).
 *
 * The connection never holds a lock past one synchronous call, so the
 * ledger's own connection can never wait on it. The other way round, it
 * waits for nothing (`busy_timeout = 0`): while that connection holds a
 * write transaction (open across an asynchronous step), `insert` answers
 * `undefined` and the caller goes through `@effect/sql`, which waits its
 * turn. Every transaction of the ledger writes first, so none can find its
 * snapshot outdated by an insert made here in the meantime.
 *
 * @internal
 */
export interface PreparedInsertShape {
  /**
   * `true` when the delivery was inserted, `false` when its idempotency key
   * was already taken (nothing written), `undefined` when the file is
   * locked by a write transaction: nothing written, insert it otherwise.
   */
  readonly insert: (delivery: InsertedDelivery) => Effect.Effect<boolean | undefined, SqlError>
}

/** @internal */
export class PreparedInsert extends Context.Tag("@entrata-events/delivery/internal/PreparedInsert")<
  PreparedInsert,
  PreparedInsertShape
>() {}

// better-sqlite3 is @effect/sql-sqlite-node's dependency, not this package's:
// load the very copy the store's client uses, from where that package resolves it.
interface Statement {
  readonly run: (...params: ReadonlyArray<unknown>) => { readonly changes: number }
}
interface Database {
  readonly pragma: (source: string) => unknown
  readonly prepare: (source: string) => Statement
  readonly transaction: <A, R>(fn: (arg: A) => R) => { readonly immediate: (arg: A) => R }
  readonly close: () => unknown
}
const load = (): new(filename: string) => Database => {
  const require = createRequire(import.meta.url)
  // `require` answers `unknown`; better-sqlite3's export is the Database constructor.
  return createRequire(require.resolve("@effect/sql-sqlite-node/SqliteClient"))("better-sqlite3") as new(
    filename: string
  ) => Database
}

interface Pending {
  readonly delivery: InsertedDelivery
  readonly resume: (answer: Effect.Effect<boolean | undefined, SqlError>) => void
}

const COLUMNS = "id, integration_id, applicant_id, idempotency_key, body, status, attempts, created_at, " +
  "updated_at, next_attempt_at"
const VALUES = "VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)"

const isBusy = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" &&
  cause.code.startsWith("SQLITE_BUSY")

const failure = (cause: unknown) => Effect.fail(new SqlError({ cause, message: "Failed to record the delivery" }))

/**
 * Opens the connection (the file already migrated) for the life of the
 * scope, with the store's durability: `synchronous = FULL` on a WAL file.
 *
 * @internal
 */
export const make = (filename: string): Effect.Effect<PreparedInsertShape, SqlError, Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const db = new (load())(filename)
          try {
            db.pragma("synchronous = FULL")
            db.pragma("busy_timeout = 0")
            return db
          } catch (cause) {
            db.close()
            throw cause
          }
        },
        catch: (cause) => new SqlError({ cause, message: `Could not open the delivery ledger ${filename}` })
      }),
      (db) => Effect.sync(() => db.close())
    )
    const plain = db.prepare(`INSERT INTO deliveries (${COLUMNS}) ${VALUES}`)
    const keyed = db.prepare(
      `INSERT INTO deliveries (${COLUMNS}) ${VALUES}
      ON CONFLICT (integration_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`
    )
    const run = (d: InsertedDelivery): boolean =>
      (d.idempotency_key === null ? plain : keyed)
        .run(d.id, d.integration_id, d.applicant_id, d.idempotency_key, d.body, d.at, d.at, d.at).changes > 0
    const runAll = db.transaction((batch: ReadonlyArray<Pending>) => batch.map((p) => run(p.delivery)))

    const one = (p: Pending) => {
      try {
        p.resume(Effect.succeed(run(p.delivery)))
      } catch (cause) {
        p.resume(isBusy(cause) ? Effect.succeed(undefined) : failure(cause))
      }
    }

    let pending: Array<Pending> = []
    const flush = () => {
      const batch = pending
      pending = []
      if (batch.length === 1) return one(batch[0]!)
      let inserted: ReadonlyArray<boolean>
      try {
        inserted = runAll.immediate(batch)
      } catch (cause) {
        // Locked: every one goes the other way. Otherwise one of them broke
        // the transaction, which rolled back: each alone gets its own answer.
        if (isBusy(cause)) for (const p of batch) p.resume(Effect.succeed(undefined))
        else for (const p of batch) one(p)
        return
      }
      batch.forEach((p, i) => p.resume(Effect.succeed(inserted[i]!)))
    }
    // Inserts still waiting when the store closes are written first.
    yield* Effect.addFinalizer(() => Effect.sync(() => pending.length > 0 && flush()))

    return {
      insert: (delivery) =>
        Effect.async((resume) => {
          if (pending.push({ delivery, resume }) === 1) setImmediate(flush)
        })
    }
  })
