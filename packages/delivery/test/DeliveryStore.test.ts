import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"
import * as DeliveryLedger from "../src/DeliveryLedger.js"
import * as DeliveryStore from "../src/DeliveryStore.js"
import { tempFile } from "./helpers.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const pragmas = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [journal] = yield* sql<{ readonly journal_mode: string }>`PRAGMA journal_mode`
  const [sync] = yield* sql<{ readonly synchronous: number }>`PRAGMA synchronous`
  const migrations = yield* sql<{ readonly migration_id: number; readonly name: string }>`
    SELECT migration_id, name FROM delivery_migrations ORDER BY migration_id`
  return { journal: journal?.journal_mode, synchronous: sync?.synchronous, migrations }
})

describe("DeliveryStore", () => {
  it.scoped("opens the file in WAL mode with synchronous=FULL, creating its folder, and migrates it once", () =>
    Effect.gen(function*() {
      const file = yield* tempFile
      expect(fs.existsSync(path.dirname(file))).toBe(false)
      const first = yield* Effect.provide(pragmas, DeliveryStore.layer({ filename: file }))
      expect(first).toEqual({ journal: "wal", synchronous: 2, migrations: [
        { migration_id: 1, name: "deliveries" },
        { migration_id: 2, name: "deliveries_job" }
      ] })
      expect(fs.existsSync(file)).toBe(true)
      // Reopened: the migrations already applied are not run again.
      const second = yield* Effect.provide(pragmas, DeliveryStore.layer({ filename: file }))
      expect(second).toEqual(first)
    }))

  it.scoped("an in-memory ledger records through its one connection", () =>
    Effect.gen(function*() {
      const ledger = yield* DeliveryLedger.DeliveryLedger
      const delivery = {
        id: "dlv_0000000000000000000000000a",
        integration_id: "cmintegration",
        applicant_id: "cmapplicant",
        idempotency_key: null,
        body: "{}",
        at: Date.now()
      }
      expect(yield* ledger.insert(delivery)).toEqual(Option.none())
      expect(Option.map(yield* ledger.find(delivery.id), (row) => row.status)).toEqual(Option.some("queued"))
    }).pipe(Effect.provide(DeliveryLedger.layer.pipe(Layer.provide(DeliveryStore.layer({ filename: ":memory:" }))))))

  it.scoped("a file that cannot be opened is an SqlError naming it", () =>
    Effect.gen(function*() {
      const file = yield* tempFile
      fs.mkdirSync(file, { recursive: true }) // a folder where the file should be
      const error = yield* Effect.flip(Effect.provide(pragmas, DeliveryStore.layer({ filename: file })))
      expect(error._tag).toBe("SqlError")
      expect(error.message).toContain(file)
    }))

  describe("config", () => {
    it.effect("defaults to ./data/deliveries.sqlite", () =>
      Effect.gen(function*() {
        expect(yield* DeliveryStore.config).toEqual({ filename: path.join("data", "deliveries.sqlite") })
      }).pipe(withEnv({})))

    it.effect("DATA_DIR names the folder", () =>
      Effect.gen(function*() {
        expect(yield* DeliveryStore.config).toEqual({ filename: path.join("/var/lib/events", "deliveries.sqlite") })
      }).pipe(withEnv({ DATA_DIR: "/var/lib/events" })))

    it.effect("DATABASE_URL=sqlite:PATH names the file, and wins over DATA_DIR", () =>
      Effect.gen(function*() {
        for (
          const [url, filename] of [
            ["sqlite:/srv/ledger.db", "/srv/ledger.db"],
            ["sqlite:relative/ledger.db", "relative/ledger.db"],
            ["sqlite:///srv/ledger.db", "/srv/ledger.db"],
            ["SQLITE://relative/ledger.db", "relative/ledger.db"]
          ]
        ) {
          expect(yield* withEnv({ DATABASE_URL: url!, DATA_DIR: "/elsewhere" })(DeliveryStore.config)).toEqual({ filename })
        }
      }))

    it.effect("a DATABASE_URL of another scheme, or without a file, fails naming the variable", () =>
      Effect.gen(function*() {
        for (
          const [url, reason] of [
            ["postgres://user@db/events", /PostgreSQL is not supported yet/],
            ["mysql://db/events", /must be sqlite:PATH/],
            ["sqlite:", /must name a file/]
          ] as const
        ) {
          const error = yield* Effect.flip(withEnv({ DATABASE_URL: url })(DeliveryStore.config))
          expect(String(error)).toContain("DATABASE_URL")
          expect(String(error)).toMatch(reason)
        }
      }))

    it.scoped("layerConfig opens the file the environment names", () =>
      Effect.gen(function*() {
        const file = yield* tempFile
        const result = yield* Effect.provide(
          pragmas,
          DeliveryStore.layerConfig.pipe(
            Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", `sqlite:${file}`]]))))
          )
        )
        expect(result.journal).toBe("wal")
        expect(fs.existsSync(file)).toBe(true)
      }))
  })
})
