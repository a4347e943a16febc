import { randomBytes } from "node:crypto"

// Crockford's base-32 alphabet, lower case: no i, l, o or u to misread.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

/**
 * A fresh delivery id: `dlv_` and 26 characters of base 32 (130 random
 * bits), safe in a URL path, a Slack message or a log line.
 *
 * @internal
 */
export const deliveryId = (): string => {
  const bytes = randomBytes(26)
  let id = "dlv_"
  // 256 is a multiple of 32: every byte's low five bits are uniform.
  for (const byte of bytes) id += ALPHABET[byte & 31]
  return id
}

/**
 * The shape of the ids {@link deliveryId} makes.
 *
 * @internal
 */
export const DELIVERY_ID = /^dlv_[0-9a-hjkmnp-tv-z]{26}$/
