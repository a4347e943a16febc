import { randomBytes } from "node:crypto"

// Crockford's base-32 alphabet, lower case: no i, l, o or u to misread.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

const ID_LENGTH = 26
// Random bytes drawn 256 ids at a time: one call per id costs more than the
// rest of making it.
let pool = new Uint8Array(0)
let offset = 0

/**
 * A fresh delivery id: `dlv_` and 26 characters of base 32 (130 random
 * bits), safe in a URL path, a Slack message or a log line.
 *
 * @internal
 */
export const deliveryId = (): string => {
  if (offset + ID_LENGTH > pool.length) {
    pool = randomBytes(ID_LENGTH * 256)
    offset = 0
  }
  let id = "dlv_"
  // 256 is a multiple of 32: every byte's low five bits are uniform.
  for (let i = 0; i < ID_LENGTH; i++) id += ALPHABET[pool[offset + i]! & 31]
  offset += ID_LENGTH
  return id
}

/**
 * The shape of the ids {@link deliveryId} makes.
 *
 * @internal
 */
export const DELIVERY_ID = /^dlv_[0-9a-hjkmnp-tv-z]{26}$/
