/**
 * Where the ledger lives: an SQLite file through `@effect/sql-sqlite-node`
 * (better-sqlite3), in WAL mode with `synchronous=FULL`, so a committed
 * delivery survives a crash or a power cut; its migrations run through
 * `@effect/sql`'s `Migrator` when the layer starts.
 *
 * The ledger is written against `SqlClient` alone, so another dialect
 * (PostgreSQL) only needs another layer here.
 *
 * @since 0.2.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as path from "node:path"
import { migrations } from "./internal/migrations.js"
import * as PreparedInsert from "./internal/preparedInsert.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface DeliveryStoreOptions {
  /** The SQLite file; its folder is created when missing. */
  readonly filename: string
}

/**
 * The file's name inside `DATA_DIR`.
 *
 * @since 0.2.0
 * @category constants
 */
export const DEFAULT_FILENAME = "deliveries.sqlite"

/**
 * The table `Migrator` records the applied migrations in.
 *
 * @since 0.2.0
 * @category constants
 */
export const MIGRATIONS_TABLE = "delivery_migrations"

/**
 * Applies the ledger's pending migrations, in one transaction.
 *
 * @since 0.2.0
 * @category migrations
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: MIGRATIONS_TABLE })

/**
 * Opens (or creates) the SQLite file with the ledger's pragmas, for the
 * life of the scope.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSqlite = (
  options: DeliveryStoreOptions
): Effect.Effect<SqliteClient.SqliteClient, SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const { filename } = options
    yield* Effect.try({
      try: () => fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true }),
      catch: (cause) =>
        new SqlError({ cause, message: `Could not create the folder of the delivery ledger ${filename}` })
    })
    // better-sqlite3 throws when the file cannot be opened: a defect of `make`.
    const client = yield* SqliteClient.make({ filename }).pipe(
      Effect.catchAllDefect((cause) =>
        Effect.fail(new SqlError({ cause, message: `Could not open the delivery ledger ${filename}` }))
      )
    )
    // WAL is the client's default; FULL syncs the WAL on every commit, so
    // an answered enqueue is on disk.
    yield* client`PRAGMA synchronous = FULL`
    yield* client`PRAGMA foreign_keys = ON`
    yield* client`PRAGMA busy_timeout = 5000`
    return client
  })

const isInMemory = (filename: string) => filename === ":memory:" || filename === ""

/**
 * The ledger's `SqlClient` on an SQLite file, migrated. It also carries the
 * ledger's enqueue INSERT prepared once on the file (about ten times
 * cheaper than a statement through `@effect/sql`); the ledger uses it when
 * present.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: DeliveryStoreOptions
): Layer.Layer<SqlClient.SqlClient, SqlError | Migrator.MigrationError> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const client = yield* makeSqlite(options)
      yield* Effect.provideService(migrate, SqlClient.SqlClient, client)
      const context = Context.make(SqlClient.SqlClient, client)
      // A second connection to an in-memory database would open another one.
      if (isInMemory(options.filename)) return context
      return Context.add(context, PreparedInsert.PreparedInsert, yield* PreparedInsert.make(options.filename))
    })
  ).pipe(Layer.provide(Reactivity.layer))

const SQLITE_SCHEME = "sqlite:"

/** The file of a `sqlite:PATH` URL; `sqlite://PATH` is read the same way. */
const sqlitePath = (url: string): Either.Either<string, string> => {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return Either.left("PostgreSQL is not supported yet: use sqlite:PATH, or leave it unset to use DATA_DIR")
  }
  if (!url.toLowerCase().startsWith(SQLITE_SCHEME)) {
    return Either.left(`must be sqlite:PATH (e.g. sqlite:./data/deliveries.sqlite), got a URL of another scheme`)
  }
  const rest = url.slice(SQLITE_SCHEME.length)
  const file = rest.startsWith("//") ? rest.slice(2) : rest
  return file.trim() === "" ? Either.left("must name a file after sqlite:") : Either.right(file)
}

/**
 * Reads `DATABASE_URL` (`sqlite:PATH`; PATH absolute or relative to the
 * working directory) or else `DATA_DIR` (default `./data`, the file
 * `deliveries.sqlite` inside it). A malformed value fails with a
 * `ConfigError` naming the variable.
 *
 * @since 0.2.0
 * @category config
 */
export const config: Config.Config<DeliveryStoreOptions> = Config.all({
  url: Config.option(
    Config.mapOrFail(
      Config.string("DATABASE_URL"),
      (url) => Either.mapLeft(sqlitePath(url.trim()), (message) => ConfigError.InvalidData([], message))
    )
  ),
  dataDir: Config.nonEmptyString("DATA_DIR").pipe(Config.withDefault("./data"))
}).pipe(
  Config.map(({ dataDir, url }): DeliveryStoreOptions => ({
    filename: Option.getOrElse(url, () => path.join(dataDir, DEFAULT_FILENAME))
  }))
)

/**
 * {@link layer} with the file from {@link config}.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: Layer.Layer<
  SqlClient.SqlClient,
  ConfigError.ConfigError | SqlError | Migrator.MigrationError
> = Layer.unwrapEffect(Effect.map(config, layer))
