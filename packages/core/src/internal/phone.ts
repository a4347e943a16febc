/**
 * A phone number as people write it, in E.164 form, or `undefined`.
 *
 * Accepts E.164 (`+14035551234`, separators allowed) and North American
 * numbers written the usual ways: `(403) 555-1234`, `403.555.1234`,
 * `1 403 555 1234`. A ten-digit number is read as North American, so its
 * area code and exchange must not start with 0 or 1.
 *
 * @internal
 */
export const normalizePhone = (text: string): string | undefined => {
  const trimmed = text.trim()
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return undefined
  const digits = trimmed.replace(/\D/g, "")
  if (trimmed.startsWith("+")) {
    if (digits.startsWith("1") && digits.length !== 11) return undefined
    return /^[1-9]\d{7,14}$/.test(digits) && nanpOk(digits) ? `+${digits}` : undefined
  }
  const national = digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits
  return national.length === 10 && nanpOk(`1${national}`) ? `+1${national}` : undefined
}

/** North American numbers: area code and exchange start with 2-9. */
const nanpOk = (digits: string): boolean => !digits.startsWith("1") || /^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)
