/**
 * The dry run: validates a sample applicant event typed the way a person
 * would (a wall-clock time in Denver, a US phone number) and prints the exact
 * body Propexo would receive. Nothing is sent.
 */
import * as Either from "effect/Either"
import { ApplicantEvent, MountainTime } from "../src/index.js"

const wall = "2026-11-01 01:30"
const ambiguous = MountainTime.fromWallClock(wall)
if (Either.isLeft(ambiguous)) console.log(`Refused as it should be: ${ambiguous.left.message}\n`)

const when = MountainTime.fromWallClock(wall, { disambiguation: "later" })
if (Either.isLeft(when)) throw when.left

const event = ApplicantEvent.decode({
  integration_id: "cm1integration0demo00000001",
  applicant_id: "cm1applicant00demo00000001",
  application_id: "cm1application0demo0000001",
  event_type_id: "cm1eventtype00call00000001",
  event_datetime: when.right,
  call_phone_number_from: "(403) 555-1234",
  call_phone_number_to: "+1 303 555 0100",
  call_status: "ANSWER",
  call_duration: 312,
  call_audio_link: "https://calls.example.com/recordings/8812",
  notes: "Asked about two-bedroom availability in January."
})

if (Either.isLeft(event)) {
  console.error(event.left.message)
  process.exit(1)
}
console.log(`${wall} in Denver, the second time round (MST), is sent as ${event.right.event_datetime}.`)
console.log("POST /v1/events/applicants/entrata/")
console.log(JSON.stringify(JSON.parse(ApplicantEvent.toJson(event.right)), null, 2))
