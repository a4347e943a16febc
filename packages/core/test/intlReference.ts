/**
 * An oracle for Mountain Time computed by the runtime's Intl alone: its own
 * formatting of the wall clock and of the offset (`longOffset`), a different
 * path through the time-zone database than the one the module caches.
 */
export const intlReference = (timeZone: string) => {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset"
  })
  return (ms: number): string => {
    let year = "", month = "", day = "", hour = "", minute = "", second = "", offset = ""
    for (const part of format.formatToParts(ms)) {
      switch (part.type) {
        case "year":
          year = part.value.padStart(4, "0")
          break
        case "month":
          month = part.value
          break
        case "day":
          day = part.value
          break
        case "hour":
          hour = part.value
          break
        case "minute":
          minute = part.value
          break
        case "second":
          second = part.value
          break
        case "timeZoneName":
          offset = part.value === "GMT" ? "+00:00" : part.value.slice(3)
          break
      }
    }
    return `${year}-${month}-${day}T${hour}:${minute}:${second}${offset}`
  }
}

/** The Mountain wire string of an instant, by Intl. */
export const denverReference = intlReference("America/Denver")
