import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * The ledger's migrations, in code (a bundled or installed package has no
 * folder to read at run time). Keys are `<id>_<name>`, as
 * `Migrator.fromRecord` wants them. A migration, once released, never
 * changes: add another.
 *
 * Written for SQLite and PostgreSQL; only the identity column differs.
 * Times are epoch milliseconds in `BIGINT`, which both store exactly and
 * compare as numbers.
 *
 * @internal
 */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "1_deliveries": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const identity = sql.onDialectOrElse({
      pg: () => sql.literal("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
      orElse: () => sql.literal("INTEGER PRIMARY KEY")
    })
    yield* sql`CREATE TABLE deliveries (
      seq ${identity},
      id TEXT NOT NULL UNIQUE,
      integration_id TEXT NOT NULL,
      applicant_id TEXT NOT NULL,
      idempotency_key TEXT,
      body TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN
        ('queued', 'sending', 'sent', 'succeeded', 'failed', 'rejected', 'ambiguous', 'cancelled')),
      attempts INTEGER NOT NULL DEFAULT 0,
      job_id TEXT,
      write_status TEXT,
      errors TEXT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      next_attempt_at BIGINT,
      sent_at BIGINT,
      completed_at BIGINT
    )`
    yield* sql`CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (integration_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL`
    // Every index is written by each enqueue, so there are few: by status
    // (the deliverer's oldest-queued scan, lists and checks by status) and by
    // applicant (the order rule). A list by integration alone reads the
    // newest rows first and stops at the page's end.
    yield* sql`CREATE INDEX deliveries_status ON deliveries (status, seq)`
    yield* sql`CREATE INDEX deliveries_applicant ON deliveries (applicant_id, seq)`
    // Every change of status after the acceptance, which the row itself records.
    yield* sql`CREATE TABLE delivery_transitions (
      seq ${identity},
      delivery_id TEXT NOT NULL REFERENCES deliveries (id),
      from_status TEXT,
      to_status TEXT NOT NULL,
      at BIGINT NOT NULL,
      attempt INTEGER NOT NULL,
      reason TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX delivery_transitions_delivery ON delivery_transitions (delivery_id, seq)`
  }),
  // Confirmations (from the write logs, the write status, a webhook) find a
  // delivery by its job. Only rows with a job are in it, so an enqueue does
  // not write it.
  "2_deliveries_job": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE INDEX deliveries_job ON deliveries (job_id) WHERE job_id IS NOT NULL`
  })
}
