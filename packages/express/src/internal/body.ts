/**
 * Reading the JSON body of a request, whether or not the host already ran a
 * body parser in front of the router.
 */
import * as Effect from "effect/Effect"
import type { Request, Response } from "express"
import express from "express"
import { isUtf8 } from "node:buffer"
import { BodyRejected } from "./failures.js"
import { property } from "./property.js"

const JSON_TYPES = ["application/json", "application/*+json"]

const malformed = () =>
  new BodyRejected({ reason: "malformed", detail: "The request body is not valid JSON." })

const parseText = (text: string): Effect.Effect<unknown, BodyRejected> =>
  Effect.try({ try: (): unknown => JSON.parse(text), catch: malformed })

/** What the host's parser left in `req.body`: a value, or text or bytes from `express.text()`/`express.raw()`. */
const fromHost = (body: unknown): Effect.Effect<unknown, BodyRejected> => {
  if (typeof body === "string") return parseText(body)
  if (body instanceof Uint8Array) {
    return Effect.flatMap(
      Effect.try({ try: () => new TextDecoder("utf-8", { fatal: true }).decode(body), catch: malformed }),
      parseText
    )
  }
  return Effect.succeed(body)
}

// The type `verify` gives a body that is not UTF-8 (body-parser passes it on).
const NOT_UTF8 = "entity.encoding.invalid"
const CHARSET_UNSUPPORTED = "charset.unsupported"

/**
 * Refuses, before it is decoded, a body in a charset other than UTF-8 or
 * whose bytes are not UTF-8: body-parser would replace bad bytes with
 * U+FFFD and record something the caller never sent.
 */
const verify = (_req: unknown, _res: unknown, bytes: Buffer, encoding: string): void => {
  if (encoding !== "utf-8") throw Object.assign(new Error("charset"), { type: CHARSET_UNSUPPORTED })
  if (!isUtf8(bytes)) throw Object.assign(new Error("not UTF-8"), { type: NOT_UTF8 })
}

/**
 * What a body parser's error means for the caller; `undefined` for an error
 * that is not about the body (a defect).
 */
export const fromParserError = (error: unknown, req: Request): BodyRejected | undefined => {
  switch (property(error, "type")) {
    case "entity.too.large": {
      const limit = property(error, "limit")
      return new BodyRejected({
        reason: "too-large",
        detail: typeof limit === "number"
          ? `The request body is larger than the limit of ${limit} bytes.`
          : "The request body is larger than this server accepts."
      })
    }
    case "entity.parse.failed":
      return malformed()
    case NOT_UTF8:
      return new BodyRejected({ reason: "malformed", detail: "The request body is not valid UTF-8 text." })
    case CHARSET_UNSUPPORTED:
      return new BodyRejected({
        reason: "unsupported-media-type",
        detail: "The request body must be JSON in UTF-8."
      })
    case "encoding.unsupported":
      return new BodyRejected({
        reason: "unsupported-encoding",
        detail: "The request body's Content-Encoding is not supported; send it as identity, gzip, deflate or br."
      })
    case "request.aborted":
    case "request.size.invalid":
      return new BodyRejected({ reason: "malformed", detail: "The request body ended before its announced length." })
    case undefined: {
      // body-parser answers 400 without a type only when the decompressor failed.
      const encoding = req.get("content-encoding")
      return property(error, "status") === 400 && encoding !== undefined
        ? new BodyRejected({
          reason: "malformed",
          detail: `The request body is not valid ${encoding.trim().toLowerCase()} data, as its Content-Encoding says.`
        })
        : undefined
    }
    default:
      return undefined
  }
}

/**
 * A reader of JSON bodies up to `limit` bytes. Any JSON value is read
 * (validation says what is wrong with it); a body that is not JSON is a
 * `BodyRejected`. A body the host already parsed is taken from `req.body`.
 */
export const makeReader = (limit: number) => {
  const parse = express.json({ limit, strict: false, type: JSON_TYPES, verify })
  return (req: Request, res: Response): Effect.Effect<unknown, BodyRejected> =>
    Effect.suspend(() => {
      const type = req.is(JSON_TYPES)
      if (type === null) {
        return Effect.fail(
          new BodyRejected({ reason: "missing", detail: "The request has no body; send the applicant event as JSON." })
        )
      }
      if (type === false) {
        return Effect.fail(
          new BodyRejected({
            reason: "unsupported-media-type",
            detail: "The request body must be JSON, with Content-Type application/json."
          })
        )
      }
      if (req.body !== undefined) return fromHost(req.body)
      return Effect.async<unknown, BodyRejected>((resume) => {
        parse(req, res, (error?: unknown) => {
          if (error === undefined || error === null) {
            // body-parser leaves `req.body` unset only when the stream was
            // already consumed by someone who did not keep what they read.
            resume(
              req.body === undefined
                ? Effect.dieMessage("The request body was consumed before the router without being kept in req.body")
                : Effect.succeed(req.body)
            )
            return
          }
          const rejected = fromParserError(error, req)
          resume(rejected === undefined ? Effect.die(error) : Effect.fail(rejected))
        })
      })
    })
}
