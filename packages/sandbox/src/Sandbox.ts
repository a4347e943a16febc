/**
 * A local stand-in for Propexo's API in front of an Entrata PMS, for tests
 * and development: it serves `PropexoApi` on 127.0.0.1 with Propexo's
 * validation, error bodies, per-token rate limits and slow-down, queued
 * write jobs that the simulated PMS accepts or refuses, the events read
 * side, and switchable faults (5xx answers, latency, dropped connections,
 * malformed JSON).
 *
 * Everything it saw is inspectable, in process through the {@link Sandbox}
 * service or over HTTP under `/_sandbox/`, a prefix no Propexo path uses.
 *
 * @since 0.1.0
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { FaultSettings, FaultState } from "./Faults.js"
import * as Ids from "./internal/ids.js"
import { serve } from "./internal/server.js"
import { State } from "./internal/state.js"
import type { AnswerRecord, JobRecord, QuotaRecord, RequestRecord, SandboxToken } from "./Records.js"
import * as Seed from "./Seed.js"

/**
 * @since 0.1.0
 */
export type { AnswerRecord, JobRecord, QuotaRecord, RequestOutcome, RequestRecord, SandboxToken } from "./Records.js"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * A token given to the simulator: the secret alone, or with a name and the
 * integrations it may touch.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenOption =
  | string
  | Redacted.Redacted<string>
  | {
    readonly token: string | Redacted.Redacted<string>
    readonly name?: string | undefined
    readonly integrations?: ReadonlyArray<string> | undefined
  }

/**
 * How to run the simulator. Every field has a default that imitates
 * Propexo's documented behaviour.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Default 0: a free port. */
  readonly port?: number | undefined
  /** Accepted tokens; default one random token. */
  readonly tokens?: ReadonlyArray<TokenOption> | undefined
  /** Requests per window per token; default 150. */
  readonly rateLimit?: number | undefined
  /** Length of a rate-limit window; default one minute. Windows align on multiples of it since the epoch. */
  readonly window?: Duration.DurationInput | undefined
  /** Added to every answer once 80% of a window's quota is used; default 2 seconds. */
  readonly slowDownDelay?: Duration.DurationInput | undefined
  /** How long a write job stays PENDING; default 1 second. */
  readonly jobDelay?: Duration.DurationInput | undefined
  /** How long a job is remembered; default one hour. */
  readonly jobTtl?: Duration.DurationInput | undefined
  /** Entries kept in the request log; default 1000. */
  readonly maxRequests?: number | undefined
  /** Events kept on the read side; default 10,000. */
  readonly maxEvents?: number | undefined
  /** The PMS's world; default {@link Seed.defaultSeed}. */
  readonly seed?: Seed.Seed | undefined
  /**
   * Called with every answer to a Propexo path just before it is sent, e.g.
   * for a test to hold each one against Propexo's published schema.
   */
  readonly onAnswer?: ((answer: AnswerRecord) => void) | undefined
}

/**
 * Options that cannot run a simulator (a bad number, a duplicate token
 * name).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends Schema.TaggedError<InvalidOptions>()("InvalidOptions", {
  reason: Schema.String
}) {
  override get message(): string {
    return `Invalid sandbox options: ${this.reason}`
  }
}

/**
 * A token name that is not one of the simulator's.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownToken extends Schema.TaggedError<UnknownToken>()("UnknownToken", {
  name: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `No sandbox token is named ${JSON.stringify(this.name)}; the tokens are ${
      this.known.map((n) => JSON.stringify(n)).join(", ")
    }`
  }
}

// ---------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------

/**
 * A running simulator: where it listens, its tokens, and its inspection
 * and fault controls.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxService {
  /** `http://127.0.0.1:PORT`, no trailing slash: use it as Propexo's base URL. */
  readonly baseUrl: string
  readonly port: number
  /** The first token. */
  readonly token: Redacted.Redacted<string>
  readonly tokens: ReadonlyArray<SandboxToken>
  /** Every request received, oldest first, at most `maxRequests`. */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** Every job not yet expired, oldest first. */
  readonly jobs: Effect.Effect<ReadonlyArray<JobRecord>>
  /** Events the PMS recorded, oldest first. */
  readonly events: Effect.Effect<ReadonlyArray<PropexoApi.EventRecord>>
  readonly quotas: Effect.Effect<ReadonlyArray<QuotaRecord>>
  readonly faults: Effect.Effect<FaultState>
  /** Replaces the global faults, or with `token` that token's own. `{}` switches them off. */
  readonly setFaults: (
    faults: FaultSettings,
    options?: { readonly token?: string | undefined }
  ) => Effect.Effect<void, UnknownToken>
  readonly clearFaults: Effect.Effect<void>
  readonly seed: Effect.Effect<Seed.Seed>
  /** Replaces the PMS's world, e.g. to fix what made a job fail before retrying it. */
  readonly setSeed: (seed: Seed.Seed) => Effect.Effect<void>
  /** Forgets jobs, events, the request log, quotas and faults, and restores the initial seed. */
  readonly reset: Effect.Effect<void>
}

/**
 * The running simulator.
 *
 * @since 0.1.0
 * @category tags
 */
export class Sandbox extends Context.Tag("@entrata-events/sandbox/Sandbox")<Sandbox, SandboxService>() {}

const positiveInt = (name: string, value: number | undefined, fallback: number): number => {
  const n = value ?? fallback
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidOptions({ reason: `${name} must be a positive integer, got ${n}` })
  }
  return n
}

const millis = (name: string, value: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number => {
  const ms = Duration.toMillis(Duration.decode(value ?? fallback))
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidOptions({ reason: `${name} must be a finite duration` })
  return Math.round(ms)
}

const resolveToken = (option: TokenOption, index: number): SandboxToken => {
  const { integrations, name, token } = typeof option === "string" || Redacted.isRedacted(option)
    ? { token: option, name: undefined, integrations: undefined }
    : option
  const secret = typeof token === "string" ? Redacted.make(token) : token
  if (!/^\S+$/.test(Redacted.value(secret))) {
    throw new InvalidOptions({ reason: `token ${index + 1} must be non-empty and have no white space` })
  }
  return { name: name ?? `token-${index + 1}`, token: secret, integrations: integrations ?? null }
}

const resolveTokens = (tokens: ReadonlyArray<TokenOption> | undefined): NonEmptyReadonlyArray<SandboxToken> => {
  const [first = Ids.token(), ...rest] = tokens ?? []
  const resolved: NonEmptyReadonlyArray<SandboxToken> = [
    resolveToken(first, 0),
    ...rest.map((option, i) => resolveToken(option, i + 1))
  ]
  if (new Set(resolved.map((t) => t.name)).size !== resolved.length) {
    throw new InvalidOptions({ reason: "token names must be unique" })
  }
  return resolved
}

const settingsFrom = (options: SandboxOptions) =>
  Effect.try({
    try: () => ({
      tokens: resolveTokens(options.tokens),
      rateLimit: positiveInt("rateLimit", options.rateLimit, 150),
      windowMs: Math.max(1, millis("window", options.window, "1 minute")),
      slowDownDelayMs: millis("slowDownDelay", options.slowDownDelay, "2 seconds"),
      jobDelayMs: millis("jobDelay", options.jobDelay, "1 second"),
      jobTtlMs: millis("jobTtl", options.jobTtl, "1 hour"),
      maxRequests: positiveInt("maxRequests", options.maxRequests, 1000),
      maxEvents: positiveInt("maxEvents", options.maxEvents, 10_000),
      seed: options.seed ?? Seed.defaultSeed,
      onAnswer: options.onAnswer
    }),
    catch: (error) =>
      error instanceof InvalidOptions ? error : new InvalidOptions({ reason: String(error) })
  })

/**
 * Starts a simulator for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: SandboxOptions = {}
): Effect.Effect<SandboxService, InvalidOptions | HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* settingsFrom(options)
    const state = new State(settings)
    const host = options.host ?? "127.0.0.1"
    const server = yield* serve(state, () => Http.createServer(), { host, port: options.port ?? 0 })
    const now = Effect.sync(() => Date.now())
    const [first] = settings.tokens
    return Sandbox.of({
      baseUrl: `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`,
      port: server.port,
      token: first.token,
      tokens: settings.tokens,
      requests: Effect.sync(() => state.requests()),
      jobs: Effect.map(now, (t) => state.jobRecords(t)),
      events: Effect.sync(() => state.eventRecords()),
      quotas: Effect.map(now, (t) => state.quotaRecords(t)),
      faults: Effect.sync(() => state.faultState()),
      setFaults: (faults, { token } = {}) =>
        token !== undefined && !settings.tokens.some((t) => t.name === token)
          ? Effect.fail(new UnknownToken({ name: token, known: settings.tokens.map((t) => t.name) }))
          : Effect.sync(() => state.setFaults(faults, token)),
      clearFaults: Effect.sync(() => state.clearFaults()),
      seed: Effect.sync(() => state.seed),
      setSeed: (seed) =>
        Effect.sync(() => {
          state.seed = seed
        }),
      reset: server.reset
    })
  })

/**
 * The simulator as a layer, listening on 127.0.0.1 on a free port unless
 * told otherwise; it stops when the layer is released.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: SandboxOptions = {}
): Layer.Layer<Sandbox, InvalidOptions | HttpServerError.ServeError> => Layer.scoped(Sandbox, make(options))

// ---------------------------------------------------------------------------
// Promise API
// ---------------------------------------------------------------------------

/**
 * A running simulator for code outside Effect. `token` is the first
 * token's secret in plain text, for the caller's own requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxHandle {
  readonly baseUrl: string
  readonly port: number
  readonly token: string
  readonly tokens: ReadonlyArray<SandboxToken>
  readonly requests: () => Promise<ReadonlyArray<RequestRecord>>
  readonly jobs: () => Promise<ReadonlyArray<JobRecord>>
  readonly events: () => Promise<ReadonlyArray<PropexoApi.EventRecord>>
  readonly quotas: () => Promise<ReadonlyArray<QuotaRecord>>
  readonly setFaults: (faults: FaultSettings, options?: { readonly token?: string | undefined }) => Promise<void>
  readonly clearFaults: () => Promise<void>
  readonly setSeed: (seed: Seed.Seed) => Promise<void>
  readonly reset: () => Promise<void>
  /** Stops listening and forgets everything. */
  readonly close: () => Promise<void>
}

/**
 * Starts a simulator from plain Node code.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ jobDelay: 0 })
 * await fetch(`${sandbox.baseUrl}/v1/event-types/`, {
 *   headers: { authorization: `Bearer ${sandbox.token}` }
 * })
 * await sandbox.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const startSandbox = async (options: SandboxOptions = {}): Promise<SandboxHandle> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(make(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  const sandbox = exit.value
  const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)
  return {
    baseUrl: sandbox.baseUrl,
    port: sandbox.port,
    token: Redacted.value(sandbox.token),
    tokens: sandbox.tokens,
    requests: () => run(sandbox.requests),
    jobs: () => run(sandbox.jobs),
    events: () => run(sandbox.events),
    quotas: () => run(sandbox.quotas),
    setFaults: (faults, setOptions) => run(sandbox.setFaults(faults, setOptions)),
    clearFaults: () => run(sandbox.clearFaults),
    setSeed: (seed) => run(sandbox.setSeed(seed)),
    reset: () => run(sandbox.reset),
    close: () => run(Scope.close(scope, Exit.void))
  }
}
