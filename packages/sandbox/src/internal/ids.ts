import * as Crypto from "node:crypto"

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
// The largest multiple of 36 below 256: bytes at or above it are skipped so
// every character is equally likely.
const UNBIASED = 252

/** A fresh id shaped like Propexo's cuids: `cm` and 23 lowercase letters and digits. @internal */
export const cuid = (): string => {
  let id = "cm"
  while (id.length < 25) {
    for (const byte of Crypto.randomBytes(32)) {
      if (byte < UNBIASED && id.length < 25) id += ALPHABET[byte % 36]
    }
  }
  return id
}

/** A fresh random bearer token. @internal */
export const token = (): string => `sbx_${Crypto.randomBytes(24).toString("base64url")}`

/** Whether two secrets are equal, in time independent of where they differ. @internal */
export const sameSecret = (a: string, b: string): boolean => {
  const left = Crypto.createHash("sha256").update(a).digest()
  const right = Crypto.createHash("sha256").update(b).digest()
  return Crypto.timingSafeEqual(left, right)
}
