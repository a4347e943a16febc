import { type ApplicantEventsRouter, Unauthorized } from "@entrata-events/express"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import type { ApiKey } from "../ServerConfig.js"

const digest = (text: string) => Crypto.createHash("sha256").update(text).digest()

/**
 * Bearer API keys, compared in constant time.
 *
 * @internal
 */
export const keyAuthorizer = (keys: ReadonlyArray<ApiKey>): ApplicantEventsRouter.Authorize => {
  const known = keys.map((k, index) => ({
    digest: digest(Redacted.value(k.key)),
    integrations: k.integrations,
    caller: `key-${index + 1}`
  }))
  return (req) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")
    if (match === null) return new Unauthorized({ reason: "send your API key as Authorization: Bearer <key>" })
    const given = digest(match[1]!)
    const found = known.find((k) => Crypto.timingSafeEqual(k.digest, given))
    return found === undefined
      ? new Unauthorized({ reason: "unknown API key" })
      : { integrations: found.integrations, caller: found.caller }
  }
}

/**
 * The keys the route accepts: the configured ones, or one generated for
 * this run (only the embedded simulator goes without keys), printed once.
 *
 * @internal
 */
export const keysOf = (
  apiKeys: Option.Option<ReadonlyArray<ApiKey>>
): { readonly keys: ReadonlyArray<ApiKey>; readonly generatedKey?: string } =>
  Option.match(apiKeys, {
    onSome: (keys) => ({ keys }),
    onNone: () => {
      const generatedKey = `ee_${Crypto.randomBytes(24).toString("base64url")}`
      return { keys: [{ key: Redacted.make(generatedKey), integrations: "*" as const }], generatedKey }
    }
  })
