/**
 * What the adapters (the Express route, the Slack command) read from their
 * host: options read through a `Schema`, so that every rule is written
 * once, as a schema with the sentence its failure shows, and a bad option
 * fails at start-up as one typed error naming each option and its rule;
 * and the services, as a `ManagedRuntime` or a `Layer`. It lives in the
 * core because the adapters share no other package of their own.
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as MountainTime from "./MountainTime.js"

/**
 * Options a constructor refused: each issue names the option (`path`,
 * dotted; empty for the options as a whole) and the rule it breaks.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidOptions extends Schema.TaggedError<InvalidOptions>()("InvalidOptions", {
  /** The constructor that refused them, e.g. `createApplicantEventsRouter`. */
  of: Schema.String,
  issues: Schema.NonEmptyArray(Schema.Struct({ path: Schema.String, message: Schema.String }))
}) {
  override get message(): string {
    return `${this.of}: ${
      this.issues.map(({ message, path }) => path === "" ? `options ${message}` : `options.${path} ${message}`).join(
        "; "
      )
    }`
  }
}

/** A schema whose failure, wherever in it, reads `message`. */
const ruled = <A, I>(schema: Schema.Schema<A, I>, message: string): Schema.Schema<A, I> =>
  schema.annotations({ message: () => ({ message, override: true }) })

/**
 * A value that passes `is`; anything else fails with `message`. For the
 * options only a run-time check of their kind can tell apart (functions,
 * runtimes, layers): their type parameters are the compiler's to check.
 *
 * @since 0.2.0
 * @category schemas
 */
export const declared = <A>(is: (u: unknown) => boolean, message: string): Schema.Schema<A> =>
  // The guard checks the kind; what the kind carries (a function's signature, the
  // services a runtime provides) is checked by the compiler where the option is written.
  Schema.declare((u: unknown): u is A => is(u), { message: () => message })

/**
 * A whole number of at least 1.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PositiveInt = (message: string): Schema.Schema<number> =>
  ruled(Schema.Number.pipe(Schema.int(), Schema.positive()), message)

/**
 * A `Duration.DurationInput`, read as a `Duration` that is finite and
 * positive (or, with `zero: "allowed"`, zero too).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FiniteDuration = (zero: "allowed" | "refused"): Schema.Schema<Duration.Duration, unknown> => {
  const message = zero === "allowed" ? "must be a non-negative, finite duration" : "must be a positive, finite duration"
  return Schema.transformOrFail(Schema.Unknown, Schema.DurationFromSelf, {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(
        Option.filter(
          Duration.decodeUnknown(input),
          (d) => Duration.isFinite(d) && (Duration.greaterThan(d, Duration.zero) || zero === "allowed")
        ),
        {
          onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, message)),
          onSome: ParseResult.succeed
        }
      ),
    encode: ParseResult.succeed
  })
}

/**
 * An IANA time zone this runtime knows (the core's one zone check).
 *
 * @since 0.2.0
 * @category schemas
 */
export const TimeZone: Schema.Schema<string> = ruled(
  MountainTime.TimeZone,
  "must be an IANA time zone this runtime knows, such as America/Denver"
)

/**
 * The services a host hands an adapter: its own `ManagedRuntime`, which it
 * disposes of itself, or a `Layer`, which the adapter builds once and
 * releases on its `dispose()`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Runs<R> {
  readonly runtime: ManagedRuntime.ManagedRuntime<R, unknown>
  readonly dispose: () => Promise<void>
}

const isRuntime = <R>(
  u: ManagedRuntime.ManagedRuntime<R, unknown> | Layer.Layer<R, unknown>
): u is ManagedRuntime.ManagedRuntime<R, unknown> => ManagedRuntime.isManagedRuntime(u)

/**
 * The runtime of {@link Runs}: `given` when it is one, else one made of
 * the layer.
 *
 * @since 0.2.0
 * @category constructors
 */
export const runsOf = <R>(
  given: ManagedRuntime.ManagedRuntime<R, unknown> | Layer.Layer<R, unknown>
): Runs<R> => {
  if (isRuntime(given)) return { runtime: given, dispose: () => Promise.resolve() }
  const runtime = ManagedRuntime.make(given)
  return { runtime, dispose: () => runtime.dispose() }
}

/**
 * Reads `options` with `schema`, or throws {@link InvalidOptions} with
 * every issue at once. A value of `undefined` stands for an option not
 * given, as the options' types say.
 *
 * @since 0.2.0
 * @category constructors
 */
export const decodeSync = <A, I>(of: string, schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
  return (options: unknown): A => {
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptions({ of, issues: [{ path: "", message: "must be an object" }] })
    }
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
    const decoded = decode(given)
    if (Either.isRight(decoded)) return decoded.right
    const [first, ...rest] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => ({
      path: issue.path.join("."),
      message: issue.message
    }))
    // A failed decode has at least one issue.
    throw new InvalidOptions({ of, issues: [first!, ...rest] })
  }
}
