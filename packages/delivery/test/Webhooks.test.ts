import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@entrata-events/sandbox"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import * as Webhooks from "../src/Webhooks.js"
import {
  awaitSent,
  clientLayer,
  DEMO,
  enqueue,
  envLayer,
  get,
  logging,
  logLines,
  notesEvent,
  OTHER,
  type Services,
  statusesOf,
  tempFile
} from "./helpers.js"

const SECRET = "whsec_test_3f9a1c0b7d2e4f6a8b0c"

const sign = (body: Uint8Array, secret = SECRET) => createHmac("sha256", secret).update(body).digest("hex")

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value))

/** A `WRITE_OPERATION_FAILURE` webhook as Propexo documents it. */
const failure = (root_job_id: string, data: Record<string, unknown> = {}) => ({
  trigger: "WRITE_OPERATION_FAILURE",
  data: {
    event: "WRITE_OPERATION_FAILURE",
    integration_id: DEMO.integrationId,
    vendor: "ENTRATA",
    root_job_id,
    write_status: "FAILURE",
    errors: ["Entrata: email_to must be the applicant's primary email", "Entrata: lead not updated"],
    ...data
  }
})

/** Signs `payload` as Propexo does and hands it to `receive`. */
const deliver = (payload: unknown, secret = SECRET) =>
  Effect.flatMap(Webhooks.Webhooks, (webhooks) => {
    const body = bytes(payload)
    return webhooks.receive(body, sign(body, secret))
  })

/**
 * A sandbox whose jobs stay pending (Entrata decides only through the
 * webhook), the ledger, the deliverer and `Webhooks` on them; `f` gets a
 * delivery already `sent`.
 */
const withSent = <A, E>(
  f: (delivery: { readonly id: string; readonly job_id: string }) => Effect.Effect<A, E, Services | Webhooks.Webhooks>
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make({ jobDelay: "1 hour", slowDownDelay: 0 })
    const file = yield* tempFile
    const layer = Layer.provideMerge(
      Webhooks.layer({ secret: Redacted.make(SECRET) }),
      envLayer(file, clientLayer(sandbox), { deliverer: { confirmAfter: "50 millis" } })
    )
    const result = yield* Effect.gen(function*() {
      const { id } = yield* enqueue(notesEvent)
      const sent = yield* awaitSent(id)
      return yield* f({ id, job_id: sent.job_id! })
    }).pipe(Effect.provide(layer), Effect.provide(logging))
    expect(logLines.join("\n")).not.toContain(SECRET)
    return result
  })

describe("Webhooks.receive", () => {
  it.scopedLive("a signed WRITE_OPERATION_FAILURE marks the delivery of its job failed at once, with its messages", () =>
    withSent(({ id, job_id }) =>
      Effect.gen(function*() {
        const receipt = yield* deliver(failure(job_id))
        expect(receipt).toEqual({ trigger: "WRITE_OPERATION_FAILURE", outcome: "recorded", delivery_id: id, status: "failed" })
        const failed = yield* get(id)
        expect(statusesOf(failed)).toEqual(["queued", "sending", "sent", "failed"])
        expect(failed.write_status).toBe("FAILURE")
        expect(failed.errors).toEqual(["Entrata: email_to must be the applicant's primary email", "Entrata: lead not updated"])
        expect(failed.history.at(-1)!.reason).toBe("Entrata refused it (webhook)")
        expect(failed.completed_at).not.toBeNull()
        // Propexo sends it again: nothing changes.
        expect(yield* deliver(failure(job_id))).toMatchObject({ outcome: "already-settled", status: "failed" })
        expect((yield* get(id)).history).toHaveLength(failed.history.length)
      })))

  it.scopedLive("a PARTIAL_SUCCESS settles it succeeded, as its write status would, with the messages kept", () =>
    withSent(({ id, job_id }) =>
      Effect.gen(function*() {
        const receipt = yield* deliver(failure(job_id, { write_status: "PARTIAL_SUCCESS", errors: ["Entrata: notes cut"] }))
        expect(receipt).toMatchObject({ outcome: "recorded", status: "succeeded" })
        const done = yield* get(id)
        expect(done).toMatchObject({ status: "succeeded", write_status: "PARTIAL_SUCCESS", errors: ["Entrata: notes cut"] })
        expect(done.history.at(-1)!.reason).toBe("Entrata applied part of it (webhook)")
      })))

  it.scopedLive("refuses a missing, malformed or wrong signature before reading the body, and changes nothing", () =>
    withSent(({ id, job_id }) =>
      Effect.gen(function*() {
        const webhooks = yield* Webhooks.Webhooks
        const body = bytes(failure(job_id))
        const good = sign(body)
        const tampered = bytes(failure(job_id, { errors: ["forged"] }))
        const cases: ReadonlyArray<readonly [Uint8Array, string | undefined, string]> = [
          [body, undefined, "missing"],
          [body, "  ", "missing"],
          [body, `sha256=${good}`, "malformed"],
          [body, good.slice(1), "malformed"],
          [body, `${good.slice(0, 63)}g`, "malformed"],
          [body, sign(body, "another secret"), "mismatch"],
          [tampered, good, "mismatch"],
          // Not even JSON, and signed with another secret: refused for the signature, unread.
          [bytes("not json"), sign(bytes("not json"), "another secret"), "mismatch"]
        ]
        for (const [payload, signature, reason] of cases) {
          const error = yield* Effect.flip(webhooks.receive(payload, signature))
          expect(error).toMatchObject({ _tag: "WebhookSignatureRefused", reason })
          expect(error.message).toMatch(/^propexo-signature /)
          expect(error.message).not.toContain(SECRET)
        }
        expect((yield* get(id)).status).toBe("sent")
        // Hex digits in capitals are the same signature.
        expect(yield* webhooks.receive(body, good.toUpperCase())).toMatchObject({ outcome: "recorded" })
      })))

  it.scopedLive("a signed body it cannot read is InvalidWebhook, naming the field and its rule", () =>
    withSent(({ id, job_id }) =>
      Effect.gen(function*() {
        const notJson = yield* Effect.flip(deliver("{ not json"))
        expect(notJson._tag).toBe("InvalidWebhook")
        const { root_job_id: _, ...withoutJob } = failure(job_id).data
        // Plain copies: an error failed inside a span is a proxy, which a failing assertion cannot print.
        const issuesOf = (error: { readonly _tag: string; readonly issues?: unknown }) => ({
          _tag: error._tag,
          issues: error.issues
        })
        const missing = yield* Effect.flip(deliver({ trigger: "WRITE_OPERATION_FAILURE", data: withoutJob }))
        expect(issuesOf(missing)).toEqual({
          _tag: "InvalidWebhook",
          issues: [{ path: "data.root_job_id", message: "is required" }]
        })
        const status = yield* Effect.flip(deliver(failure(job_id, { write_status: "SUCCESS" })))
        expect(issuesOf(status)).toEqual({
          _tag: "InvalidWebhook",
          issues: [{ path: "data.write_status", message: "must be PARTIAL_SUCCESS or FAILURE" }]
        })
        expect(status.message).toBe("Invalid Propexo webhook: data.write_status: must be PARTIAL_SUCCESS or FAILURE")
        expect((yield* get(id)).status).toBe("sent")
      })))

  it.scopedLive("another trigger is ignored; a job no delivery has, or one of another integration, changes nothing", () =>
    withSent(({ id, job_id }) =>
      Effect.gen(function*() {
        expect(yield* deliver({ trigger: "DATA_NEW", data: { model: "applicants", id: "cmx" } })).toEqual({
          trigger: "DATA_NEW",
          outcome: "ignored",
          delivery_id: null,
          status: null
        })
        expect(yield* deliver(failure("cmnosuchjob000000000000000"))).toMatchObject({ outcome: "unknown-job" })
        expect(yield* deliver(failure(job_id, { integration_id: OTHER.integrationId }))).toMatchObject({
          outcome: "unknown-job"
        })
        expect((yield* get(id)).status).toBe("sent")
      })))
})

describe("Webhooks config", () => {
  const withEnv = (env: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("PROPEXO_WEBHOOK_SECRET, redacted; unset or empty is none", () =>
    Effect.gen(function*() {
      const set = yield* withEnv({ PROPEXO_WEBHOOK_SECRET: SECRET })(Webhooks.config)
      expect(Option.map(set, Redacted.value)).toEqual(Option.some(SECRET))
      expect(String(set)).not.toContain(SECRET)
      expect(yield* withEnv({})(Webhooks.config)).toEqual(Option.none())
      // An empty secret would let anyone sign: it is no secret.
      expect(yield* withEnv({ PROPEXO_WEBHOOK_SECRET: "" })(Webhooks.config)).toEqual(Option.none())
    }))

  it.scoped("layerConfig needs the secret, and fails naming it when unset or empty", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      const file = yield* tempFile
      const ledger = envLayer(file, clientLayer(sandbox), { deliverer: false })
      const error = yield* Effect.flip(
        withEnv({ PROPEXO_WEBHOOK_SECRET: "" })(Layer.build(Layer.provide(Webhooks.layerConfig, ledger)))
      )
      expect(String(error)).toContain("PROPEXO_WEBHOOK_SECRET")
      const built = yield* withEnv({ PROPEXO_WEBHOOK_SECRET: SECRET })(
        Layer.build(Layer.provide(Webhooks.layerConfig, ledger))
      )
      const webhooks = yield* Effect.provide(Webhooks.Webhooks, built)
      const body = bytes({ trigger: "DATA_NEW", data: {} })
      expect(yield* webhooks.receive(body, sign(body))).toMatchObject({ outcome: "ignored" })
    }).pipe(Effect.provide(logging)))
})
