import type { WriteStatusValue } from "@entrata-events/propexo/PropexoApi"
import type { WriteStatusShape } from "@entrata-events/propexo/WriteStatus"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

/**
 * How a queued write ended, or that it has not yet.
 *
 * @internal
 */
export interface WriteOutcome {
  readonly write_status: WriteStatusValue
  /** The PMS's messages. */
  readonly errors: ReadonlyArray<string>
}

/**
 * Where the deliverer learns the outcomes of `sent` deliveries, in
 * batches. A job Propexo could not answer for is left out of the map, to be
 * asked again later; `outcomes` never fails.
 *
 * @internal
 */
export interface Confirmation {
  /** The most job ids one call of `outcomes` takes. */
  readonly batchSize: number
  readonly outcomes: (jobIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, WriteOutcome>>
}

/**
 * One write-status request per job, two at a time, through the client's
 * pacer: one request per confirmed delivery. Propexo's write-logs endpoint
 * confirms up to 100 writes in one request; an implementation on it takes
 * this one's place in `Deliverer`.
 *
 * @internal
 */
export const perJob = (writes: WriteStatusShape): Confirmation => ({
  batchSize: 20,
  outcomes: (jobIds) =>
    Effect.forEach(
      jobIds,
      (jobId) => Effect.map(Effect.either(writes.get(jobId)), (answer) => [jobId, answer] as const),
      { concurrency: 2 }
    ).pipe(
      Effect.tap((answers) => {
        const unanswered = answers.filter(([, answer]) => Either.isLeft(answer))
        return unanswered.length === 0
          ? Effect.void
          : Effect.logDebug(
            `Write status unknown for ${unanswered.length} of ${answers.length} jobs; asking again later`
          )
      }),
      Effect.map((answers) => {
        const outcomes = new Map<string, WriteOutcome>()
        for (const [jobId, answer] of answers) if (Either.isRight(answer)) outcomes.set(jobId, answer.right)
        return outcomes
      })
    )
})
