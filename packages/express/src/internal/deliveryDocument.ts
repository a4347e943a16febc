/**
 * A delivery as the router answers it: the ledger's record encoded as JSON,
 * with its URL, and with the router's own words for each transition. The
 * ledger's reasons may quote Propexo's error messages (its details, an
 * upstream 5xx body, a connection error); an answer carries only text this
 * router wrote, so each transition's reason is read from its `from` and
 * `to`. The PMS's messages (`errors`) concern the caller's event and are
 * kept.
 */
import { Delivery, type DeliveryStatus } from "@entrata-events/delivery/Delivery"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const RETRIED = "retried: queued to be sent again as a new create"

const REASONS: Readonly<Record<string, string>> = {
  "null>queued": "accepted",
  "queued>sending": "sending to Propexo",
  "sending>sent": "Propexo queued the write for Entrata",
  "sending>queued": "not sent (Propexo's quota was spent, or Propexo could not be reached): queued again",
  "sending>failed": "Entrata refused it; see errors",
  "sent>failed": "Entrata refused it; see errors",
  "sent>succeeded": "Entrata applied it",
  "sending>rejected": "refused as it is by Propexo's validation: it will not be sent",
  "queued>rejected": "refused as it is by this service's validation: it will not be sent",
  "sending>ambiguous": "Propexo's answer never came (a timeout, an outage, or a stop while sending): " +
    "it may have been recorded, and is not sent again unless retried",
  "failed>queued": RETRIED,
  "ambiguous>queued": `${RETRIED} (Entrata may then hold it twice)`,
  "queued>cancelled": "cancelled"
}

const reasonOf = (from: DeliveryStatus | null, to: DeliveryStatus): string =>
  REASONS[`${from}>${to}`] ?? `moved from ${from ?? "nothing"} to ${to}`

const encode = Schema.encode(Delivery)

/**
 * The JSON of a delivery, `status_url` added: the same document for every
 * answer that carries a delivery.
 */
export const documentOf = (delivery: Delivery, status_url: string) =>
  Effect.map(
    // A delivery the ledger decoded always encodes.
    Effect.orDie(encode(delivery)),
    (encoded) => ({
      ...encoded,
      history: encoded.history.map((transition) => ({
        ...transition,
        reason: reasonOf(transition.from, transition.to)
      })),
      status_url
    })
  )
