import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import type { EventTypeCatalogShape } from "@entrata-events/propexo/EventTypeCatalog"
import type { PropexoError } from "@entrata-events/propexo/PropexoError"
import * as Effect from "effect/Effect"

/**
 * Checks that an event carries the fields its event type's kind needs, as
 * `ApplicantEventsLive` does before it sends: an event type the catalog
 * does not know is an invalid event; a catalog that cannot be read fails
 * with its `PropexoError`, for the caller to decide.
 *
 * @internal
 */
export const checkKind = (
  catalog: EventTypeCatalogShape,
  event: ApplicantEvent.ApplicantEvent
): Effect.Effect<void, ApplicantEvent.InvalidApplicantEvent | PropexoError> =>
  catalog.kindOf(event.event_type_id).pipe(
    Effect.catchTag("PropexoNotFound", () =>
      Effect.fail(
        new ApplicantEvent.InvalidApplicantEvent({
          issues: [{ path: "event_type_id", message: `is not an event type Propexo knows: ${event.event_type_id}` }]
        })
      )),
    Effect.flatMap((kind) => ApplicantEvent.requireFieldsFor(kind)(event)),
    Effect.asVoid
  )
