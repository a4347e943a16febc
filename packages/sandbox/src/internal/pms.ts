/**
 * What Entrata's `leads/updateLeads` does once Propexo's job runs: the
 * checks only the PMS can make, with messages in the PMS's words, and the
 * event it records when none fails, as Propexo's read side shows it.
 */
import type * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import type { Seed } from "../Seed.js"

const CALL_FIELDS = [
  "call_phone_number_from",
  "call_phone_number_to",
  "call_status",
  "call_duration",
  "call_audio_link"
] as const

const text = (value: unknown): string | undefined => typeof value === "string" ? value : undefined

/** A type is a call type or an outgoing-email type by its name or code, as Entrata names them. */
const kindOf = (type: { readonly name: string; readonly code: string | null }): "call" | "outgoing-email" | "other" => {
  const labels = [type.name, type.code ?? ""].map((label) => label.toLowerCase())
  if (labels.some((label) => label.startsWith("call"))) return "call"
  if (labels.some((label) => label === "email-outgoing")) return "outgoing-email"
  return "other"
}

/** The PMS's refusals of an event Propexo accepted; empty when Entrata takes it. @internal */
export const refusals = (seed: Seed, body: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const errors: Array<string> = []
  const integrationId = text(body.integration_id)
  const inIntegration = <A extends { readonly id: string; readonly integration_id: string }>(
    records: ReadonlyArray<A>,
    id: unknown
  ): A | undefined => records.find((r) => r.id === id && r.integration_id === integrationId)
  const unknown = (field: string, what: string) =>
    errors.push(`Entrata: ${what} ${JSON.stringify(body[field])} (${field}) does not exist for this integration`)

  const applicant = inIntegration(seed.applicants, body.applicant_id)
  if (applicant === undefined) unknown("applicant_id", "Applicant")

  const application = inIntegration(seed.applications, body.application_id)
  if (application === undefined) unknown("application_id", "Application")
  else if (applicant !== undefined && application.applicant_id !== applicant.id) {
    errors.push(
      `Entrata: Application ${JSON.stringify(application.id)} does not belong to applicant ${
        JSON.stringify(applicant.id)
      }`
    )
  }

  const eventType = inIntegration(seed.event_types, body.event_type_id)
  if (eventType === undefined) unknown("event_type_id", "Event type")
  else if (application !== undefined && eventType.property_id !== application.property_id) {
    errors.push(
      `Entrata: Event type ${JSON.stringify(eventType.id)} belongs to property ${eventType.property_id}, ` +
        `but the application belongs to property ${application.property_id}`
    )
  }

  if (body.event_sub_type_id !== undefined) {
    const subType = inIntegration(seed.event_sub_types, body.event_sub_type_id)
    if (subType === undefined) unknown("event_sub_type_id", "Event sub-type")
    else if (eventType !== undefined && subType.event_type_id !== eventType.id) {
      errors.push(
        `Entrata: Event sub-type ${JSON.stringify(subType.name)} is not a sub-type of event type ${
          JSON.stringify(eventType.name)
        }`
      )
    }
  }

  if (body.event_result_id !== undefined) {
    const result = inIntegration(seed.event_results, body.event_result_id)
    if (result === undefined) unknown("event_result_id", "Event result")
    else if (eventType !== undefined && !result.associated_event_type_ids.includes(eventType.id)) {
      errors.push(
        `Entrata: Event result ${JSON.stringify(result.name)} cannot be used with event type ${
          JSON.stringify(eventType.name)
        }`
      )
    }
  }

  if (body.employee_id !== undefined && inIntegration(seed.employees, body.employee_id) === undefined) {
    unknown("employee_id", "Employee")
  }
  if (body.unit_id !== undefined && inIntegration(seed.units, body.unit_id) === undefined) {
    unknown("unit_id", "Unit")
  }

  if (eventType !== undefined) {
    const kind = kindOf(eventType)
    if (kind === "call") {
      const missing = CALL_FIELDS.filter((field) => body[field] === undefined)
      if (missing.length > 0) {
        errors.push(
          `Entrata: Call event type ${JSON.stringify(eventType.name)} requires ${CALL_FIELDS.join(", ")}; missing ${
            missing.join(", ")
          }`
        )
      }
    }
    if (kind === "outgoing-email" && body.email_from === undefined) {
      errors.push(`Entrata: Outgoing email event type ${JSON.stringify(eventType.name)} requires email_from`)
    }
  }

  const emailTo = text(body.email_to)
  const primary = applicant?.primary_email
  if (emailTo !== undefined && primary !== undefined && emailTo.toLowerCase() !== primary.toLowerCase()) {
    errors.push(
      `Entrata: email_to ${JSON.stringify(emailTo)} is not the lead's primary email address ${
        JSON.stringify(primary)
      }`
    )
  }
  return errors
}

/**
 * The event Entrata records for a body it accepted (every id in it exists,
 * as {@link refusals} checked), as `GET /v1/events/` shows it.
 *
 * @internal
 */
export const recordedEvent = (
  seed: Seed,
  body: Readonly<Record<string, unknown>>,
  { id, now, x_id }: { readonly id: string; readonly x_id: string; readonly now: string }
): PropexoApi.EventRecord => {
  // `refusals` found the event type; the fallbacks only keep the types honest.
  const eventType = seed.event_types.find((t) => t.id === body.event_type_id)
  const employee = seed.employees.find((e) => e.id === body.employee_id)
  return {
    id,
    created_at: now,
    updated_at: now,
    last_seen: now,
    x_id,
    x_property_id: eventType?.x_property_id ?? "",
    x_leasing_agent_id: employee?.x_id ?? null,
    x_type_id: eventType?.x_id ?? null,
    x_location_id: null,
    event_name: text(body.title) ?? eventType?.name ?? null,
    event_datetime: text(body.event_datetime) ?? null,
    appointment_datetime: text(body.appointment_datetime) ?? null,
    type_raw: eventType?.name ?? null,
    notes: text(body.notes) ?? null,
    agent_name: employee === undefined ? null : `${employee.first_name} ${employee.last_name}`,
    reasons_for_event: text(body.reasons_for_event) ?? null,
    associated_lead_ids: null,
    associated_applicant_ids: [String(body.applicant_id)],
    associated_resident_ids: null,
    integration_id: String(body.integration_id),
    integration_vendor: eventType?.integration_vendor ?? "ENTRATA",
    property_id: eventType?.property_id ?? ""
  }
}
