/**
 * Which integration each write job belongs to, for the jobs this service
 * created. Propexo's write status does not say, so `GET /jobs/:job_id`
 * answers only for a job found here, for an integration the caller may use.
 *
 * ```ts
 * const jobOwners = JobOwners.inMemory({ capacity: 50_000 })
 * app.use("/applicant-events", createApplicantEventsRouter({ runtime, authorize, jobOwners }))
 * ```
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Options from "@entrata-events/core/AdapterOptions"

/**
 * A store of job → integration. Routers given the same store answer for
 * each other's jobs.
 *
 * @since 0.2.0
 * @category models
 */
export interface JobOwners {
  /** Remembers that the job was created for the integration. */
  readonly remember: (job_id: string, integration_id: string) => Effect.Effect<void>
  /** The integration the job was created for, if it is remembered. */
  readonly ownerOf: (job_id: string) => Effect.Effect<Option.Option<string>>
}

/**
 * Jobs an in-memory store remembers by default.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultCapacity = 10_000

const settingsOf = Options.decodeSync(
  "JobOwners.inMemory",
  Schema.Struct({
    capacity: Schema.optionalWith(Options.PositiveInt("must be a positive whole number of jobs"), {
      exact: true,
      default: () => defaultCapacity
    })
  })
)

/**
 * A store in this process's memory that remembers the `capacity` most
 * recent jobs (default {@link defaultCapacity}) and forgets older ones:
 * their status is then a 404. Throws the router's `InvalidOptions` for a
 * capacity that is not a positive whole number.
 *
 * @since 0.2.0
 * @category constructors
 */
export const inMemory = (options: { readonly capacity?: number | undefined } = {}): JobOwners => {
  const { capacity } = settingsOf(options)
  // A Map iterates in insertion order: its first key is the oldest job.
  const owners = new Map<string, string>()
  return {
    remember: (job_id, integration_id) =>
      Effect.sync(() => {
        owners.delete(job_id)
        owners.set(job_id, integration_id)
        const oldest = owners.keys().next()
        if (owners.size > capacity && oldest.done !== true) owners.delete(oldest.value)
      }),
    ownerOf: (job_id) => Effect.sync(() => Option.fromNullable(owners.get(job_id)))
  }
}
