/**
 * The world the simulator's Entrata holds: integrations, properties,
 * applicants with their primary emails, applications, employees, units and
 * each property's event-type catalog. The default world's Propexo-like ids
 * are fixed, so documentation and examples can quote them (see
 * {@link DEMO}).
 *
 * A seed can also come from a JSON file of the same shape
 * ({@link load}); it is validated before use.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Fixture from "./internal/fixture.js"

// ---------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------

/**
 * A customer's connection to its PMS.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Integration = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  vendor: Schema.String
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const Property = Schema.Struct({
  id: Schema.String,
  integration_id: Schema.String,
  x_id: Schema.String,
  name: Schema.String
})

/**
 * An applicant; `primary_email` is the only address an event's `email_to`
 * may name.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Applicant = Schema.Struct({
  id: Schema.String,
  integration_id: Schema.String,
  property_id: Schema.String,
  x_id: Schema.String,
  first_name: Schema.String,
  last_name: Schema.String,
  primary_email: Schema.String
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const Application = Schema.Struct({
  id: Schema.String,
  integration_id: Schema.String,
  property_id: Schema.String,
  applicant_id: Schema.String,
  x_id: Schema.String,
  unit_id: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const Employee = Schema.Struct({
  id: Schema.String,
  integration_id: Schema.String,
  property_id: Schema.String,
  x_id: Schema.String,
  first_name: Schema.String,
  last_name: Schema.String,
  email: Schema.String
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const Unit = Schema.Struct({
  id: Schema.String,
  integration_id: Schema.String,
  property_id: Schema.String,
  x_id: Schema.String,
  name: Schema.String
})

/**
 * Everything the simulator knows. Catalog records are exactly what
 * Propexo's catalog endpoints answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Seed = Schema.Struct({
  integrations: Schema.Array(Integration),
  properties: Schema.Array(Property),
  applicants: Schema.Array(Applicant),
  applications: Schema.Array(Application),
  employees: Schema.Array(Employee),
  units: Schema.Array(Unit),
  event_types: Schema.Array(PropexoApi.EventType),
  event_sub_types: Schema.Array(PropexoApi.EventSubType),
  event_results: Schema.Array(PropexoApi.EventResult)
}).annotations({ identifier: "Seed" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Seed extends Schema.Schema.Type<typeof Seed> {}

/**
 * A seed file that cannot be read or is not a valid seed.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidSeed extends Schema.TaggedError<InvalidSeed>()("InvalidSeed", {
  source: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The seed ${this.source} cannot be used: ${this.reason}`
  }
}

const decodeSeed = Schema.decodeUnknown(Schema.parseJson(Seed), { errors: "all", onExcessProperty: "error" })

/**
 * Parses and validates a seed from JSON text.
 *
 * @since 0.1.0
 * @category loading
 */
export const fromJson = (text: string, source = "text"): Effect.Effect<Seed, InvalidSeed> =>
  decodeSeed(text).pipe(
    Effect.mapError((error) =>
      new InvalidSeed({ source, reason: ParseResult.TreeFormatter.formatErrorSync(error) })
    )
  )

/**
 * Reads and validates a seed JSON file.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (path: string): Effect.Effect<Seed, InvalidSeed, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError((error) => new InvalidSeed({ source: path, reason: error.message })),
    Effect.flatMap((text) => fromJson(text, path))
  )

// ---------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------

/**
 * The simulator's default world: two Entrata integrations, three
 * properties, four applicants with one application each.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const defaultSeed: Seed = Fixture.defaultSeed

/**
 * Ids of the default seed's demo applicant (Jane Doe at The Aspen Lofts,
 * integration "Sunrise Residential") and of her property's catalog, for
 * sample requests, docs and examples.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const DEMO = Fixture.DEMO

/**
 * Ids of a second integration's applicant (Tom Becker at Red Rock Villas),
 * whose catalog has no `code`s, only names.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const OTHER = Fixture.OTHER
