import { NodeHttpClient } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { ApplicantEvent } from "@entrata-events/core"
import { ApplicantEvents, type ApplicantEventsError } from "@entrata-events/core/ApplicantEvents"
import {
  ApplicantEventsLive,
  EventTypeCatalog,
  PropexoConfig,
  PropexoError,
  WriteStatus
} from "@entrata-events/propexo"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import { App, ExpressReceiver, type Logger, LogLevel } from "@slack/bolt"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as EffectLogger from "effect/Logger"
import * as EffectLogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Tracer from "effect/Tracer"
import { createHmac } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import {
  type BaseOptions,
  type ExpressAppOptions,
  InvalidOptions,
  makeExpressApp,
  type Options,
  type RegisteredCommand,
  registerApplicantEventCommand,
  type ResponseType,
  type Services,
  type ServicesOptions
} from "../src/ApplicantEventCommand.js"
import { HELP_TEXT, parseCommandText } from "../src/CommandText.js"
import * as Messages from "../src/internal/messages.js"

const { DEMO } = Seed
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
const TEAM = "T0ASPEN"
const BASE = `applicant=${DEMO.applicantId} application=${DEMO.applicationId}`
const CALL_FIELDS =
  "from=+14035551234 to=403-555-9876 status=answered duration=5m audio=https://calls.example.com/r/1.mp3"

/** What Slack's response URL received, in order. */
interface Posted {
  readonly path: string
  readonly body: SlackMessage
}

interface SlackMessage {
  readonly response_type?: string
  readonly text?: string
  readonly blocks?: ReadonlyArray<unknown>
}

/** Everything a message shows, blocks included, as one string. */
const shown = (message: SlackMessage): string => JSON.stringify(message)

/** The Slack mrkdwn escaping of plain text. */
const escaped = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const listen = (handler: http.RequestListener) =>
  new Promise<{ readonly url: string; readonly close: () => Promise<void> }>((resolve, reject) => {
    const server = http.createServer(handler)
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      // Listening on a TCP host and port, the address is an AddressInfo.
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

const capturingLogger = (lines: Array<string>): Logger => {
  let level = LogLevel.DEBUG
  const push = (name: string) => (...msg: Array<unknown>) => {
    lines.push(`${name} ${msg.map(String).join(" ")}`)
  }
  return {
    debug: push("debug"),
    info: push("info"),
    warn: push("warn"),
    error: push("error"),
    setLevel: (next) => {
      level = next
    },
    getLevel: () => level,
    setName: () => {}
  }
}

/** A clock that always reads `millis`. */
const fixedClock = (millis: number): Clock.Clock => {
  const live = Clock.make()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => millis,
    currentTimeMillis: Effect.succeed(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
    currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
    sleep: (duration) => live.sleep(duration)
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

type ServicesLayer = Layer.Layer<Services, unknown>

interface HarnessOptions extends Partial<BaseOptions> {
  /** Changes the services the command runs on. */
  readonly services?: (live: ServicesLayer) => ServicesLayer
  /** Passes the services as `layer`, for the command to build and release, instead of as a runtime. */
  readonly asLayer?: boolean
  /** Uses `makeExpressApp` instead of a hand-built App. */
  readonly expressApp?: boolean
  /** `makeExpressApp`'s `bodyLimit`. */
  readonly bodyLimit?: number
  /** Replaces the simulator's options (default: jobs applied at once, no slow-down). */
  readonly sandbox?: Sandbox.SandboxOptions
}

interface SendOptions {
  readonly team?: string
  readonly secret?: string
  /** Seconds to move the request's timestamp by. */
  readonly skew?: number
  /** The command's `trigger_id`; default a new one per command, `null` for none. */
  readonly triggerId?: string | null
}

/** A command as Slack posts it: the form body and its signature headers. */
interface SignedCommand {
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * A Bolt app with the command on 127.0.0.1, the simulator standing in for
 * Propexo, and a server standing in for Slack's response URLs.
 */
const harness = async (options: HarnessOptions = {}) => {
  const sandbox = await Sandbox.startSandbox(options.sandbox ?? { jobDelay: 0, slowDownDelay: 0 })
  cleanups.push(() => sandbox.close())
  const live: ServicesLayer = ApplicantEventsLive.layer().pipe(
    Layer.provide(PropexoConfig.layer({ token: Redacted.make(sandbox.token), baseUrl: sandbox.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const services = options.services === undefined ? live : options.services(live)
  const where: ServicesOptions = options.asLayer === true ? { layer: services } : (() => {
    const runtime = ManagedRuntime.make(services)
    cleanups.push(() => runtime.dispose())
    return { runtime }
  })()

  /** In order: "ack" when an acknowledgement arrives, "follow-up" when the response URL gets a post. */
  const timeline: Array<"ack" | "follow-up"> = []
  const posted: Array<Posted> = []
  const waiting: Array<{ readonly count: number; readonly resolve: () => void }> = []
  const slack = await listen((request, response) => {
    let body = ""
    request.setEncoding("utf8")
    request.on("data", (chunk: string) => {
      body += chunk
    })
    request.on("end", () => {
      timeline.push("follow-up")
      posted.push({ path: request.url ?? "", body: JSON.parse(body) })
      response.writeHead(200, { "content-type": "text/plain" }).end("ok")
      for (const waiter of waiting.filter((w) => posted.length >= w.count)) {
        waiting.splice(waiting.indexOf(waiter), 1)
        waiter.resolve()
      }
    })
  })
  cleanups.push(slack.close)

  const logs: Array<string> = []
  const logger = capturingLogger(logs)
  const commandOptions: Options = {
    ...where,
    authorize: ({ team_id }) =>
      team_id === TEAM ? { integrationId: DEMO.integrationId, propertyId: DEMO.propertyId } : null,
    ...options
  }
  const { command, handler } = options.expressApp === true
    ? (() => {
      const made = makeExpressApp({
        ...commandOptions,
        signingSecret: Redacted.make(SECRET),
        logger,
        ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit })
      })
      return { command: made.command, handler: made.receiver.app }
    })()
    : (() => {
      const receiver = new ExpressReceiver({ signingSecret: SECRET, endpoints: "/slack/events", logger })
      const app = new App({
        receiver,
        token: "xoxb-test",
        botId: "B0TEST",
        botUserId: "U0BOT",
        tokenVerificationEnabled: false,
        // Any Web API call would fail here at once instead of leaving the machine.
        clientOptions: { slackApiUrl: "http://127.0.0.1:9/api/" },
        logger
      })
      return { command: registerApplicantEventCommand(app, commandOptions), handler: receiver.app }
    })()
  const bolt = await listen(handler)
  cleanups.push(bolt.close)
  // Cleanups run last first: every follow-up is posted before anything closes.
  cleanups.push(() => command.dispose())
  cleanups.push(() => command.whenIdle())

  let sequence = 0
  /** A command with `text`, signed as Slack signs it. */
  const sign = (text: string, sendOptions: SendOptions = {}): SignedCommand => {
    sequence += 1
    const triggerId = sendOptions.triggerId === undefined ? `${sequence}.1.abc` : sendOptions.triggerId
    const fields = new URLSearchParams({
      token: "legacy-verification-token",
      team_id: sendOptions.team ?? TEAM,
      team_domain: "aspen",
      channel_id: "C0LEASING",
      channel_name: "leasing",
      user_id: "U0AGENT",
      user_name: "agent",
      command: options.command ?? "/applicant-event",
      text,
      api_app_id: "A0TEST",
      is_enterprise_install: "false",
      response_url: `${slack.url}/commands/${TEAM}/${sequence}/hook`
    })
    if (triggerId !== null) fields.set("trigger_id", triggerId)
    const body = fields.toString()
    const timestamp = Math.floor(Date.now() / 1000) + (sendOptions.skew ?? 0)
    return {
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": `v0=${
          createHmac("sha256", sendOptions.secret ?? SECRET).update(`v0:${timestamp}:${body}`).digest("hex")
        }`
      }
    }
  }

  /** Posts a signed command to the app; answers the status and the acknowledgement. */
  const post = async (request: SignedCommand) => {
    const response = await fetch(`${bolt.url}/slack/events`, { method: "POST", ...request })
    const raw = await response.text()
    if (response.ok) timeline.push("ack")
    const ack: SlackMessage = raw === "" ? {} : JSON.parse(raw)
    return { status: response.status, ack }
  }

  const send = (text: string, sendOptions: SendOptions = {}) => post(sign(text, sendOptions))

  /** Resolves once `count` follow-ups in all have arrived. */
  const followUps = (count: number) =>
    new Promise<ReadonlyArray<Posted>>((resolve) => {
      if (posted.length >= count) return resolve(posted)
      waiting.push({ count, resolve: () => resolve(posted) })
    })

  const creates = async () =>
    (await sandbox.requests()).filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/")

  return { sandbox, url: bolt.url, command, sign, post, send, followUps, posted, timeline, logs, creates }
}

type Harness = Awaited<ReturnType<typeof harness>>

const notes = (extra = "") => `Notes ${BASE} at=now notes="Asked about parking"${extra}`

/** Sends a valid command and waits until nothing is under way: whatever came before it has arrived by then. */
const settle = async (h: Harness) => {
  await h.send(notes())
  await h.command.whenIdle()
  return h.posted
}

/** The follow-ups of one command, by its sequence number in the response URL (`…/<sequence>/hook`). */
const postsOf = (h: Harness, sequence: number) =>
  h.posted.filter((p) => p.path === `/commands/${TEAM}/${sequence}/hook`).map((p) => p.body)

const QUEUED = /^:inbox_tray: Queued in Entrata \(job [a-z0-9]+\): /

describe("ApplicantEventCommand over Bolt's HTTP receiver", () => {
  it("records the event at the Mountain Time typed, acknowledging first", async () => {
    const h = await harness()
    const { ack, status } = await h.send(
      `Notes ${BASE} at="2026-11-01 01:30 MST" notes="Called &amp; left a voicemail &lt;3"`
    )
    expect(status).toBe(200)
    expect(ack).toMatchObject({ response_type: "ephemeral" })
    expect(ack.text).toMatch(/^:hourglass_flowing_sand: Recording/)

    await h.command.whenIdle()
    const [queued, recorded, ...more] = h.posted
    expect(more).toEqual([])
    expect([queued!.path, recorded!.path]).toEqual([`/commands/${TEAM}/1/hook`, `/commands/${TEAM}/1/hook`])
    const [create, ...otherCreates] = await h.creates()
    expect(otherCreates).toEqual([])
    expect(JSON.parse(create!.body!)).toEqual({
      integration_id: DEMO.integrationId,
      applicant_id: DEMO.applicantId,
      application_id: DEMO.applicationId,
      event_type_id: DEMO.eventTypeIds.Notes,
      event_datetime: "2026-11-01T01:30:00-07:00",
      notes: "Called & left a voicemail <3"
    })
    const message = queued!.body
    expect(message.response_type).toBe("ephemeral")
    expect(message.text).toBe(
      `:inbox_tray: Queued in Entrata (job ${create!.jobId}): *Notes* for applicant \`${DEMO.applicantId}\` ` +
        "at 2026-11-01 01:30 MST."
    )
    expect(shown(message)).toContain("`2026-11-01T01:30:00-07:00`")
    expect(shown(message)).toContain(DEMO.eventTypeIds.Notes)
    expect(recorded!.body).toMatchObject({
      response_type: "ephemeral",
      text: `:white_check_mark: Recorded in Entrata: *Notes* for applicant \`${DEMO.applicantId}\` ` +
        `at 2026-11-01 01:30 MST (job ${create!.jobId}).`
    })
    expect(h.timeline).toEqual(["ack", "follow-up", "follow-up"])
    expect([...h.logs, shown(message), shown(recorded!.body), shown(ack)].join("\n")).not.toContain(h.sandbox.token)
  })

  it("reads now-relative times by the clock given, names case-insensitively, and answers in the channel", async () => {
    // Saturday 2026-07-04, 12:00 MDT.
    const h = await harness({ clock: fixedClock(Date.parse("2026-07-04T18:00:00Z")), responseType: "in_channel" })
    const { ack } = await h.send(`call-outgoing ${BASE} at=yesterday 9am ${CALL_FIELDS}`)
    expect(ack.response_type).toBe("ephemeral")
    const [followUp] = await h.followUps(1)
    const [create] = await h.creates()
    expect(JSON.parse(create!.body!)).toMatchObject({
      event_type_id: DEMO.eventTypeIds["Call-Outgoing"],
      event_datetime: "2026-07-03T09:00:00-06:00",
      call_phone_number_from: "+14035551234",
      call_duration: 300
    })
    expect(followUp!.body.response_type).toBe("in_channel")
    expect(followUp!.body.text).toContain("*Call-Outgoing*")
    expect(followUp!.body.text).toContain("2026-07-03 09:00 MDT")
  })

  it("refuses a forged signature and a timestamp older than five minutes with 401, sending nothing", async () => {
    const h = await harness()
    const forged = await h.send(notes(), { secret: "not-the-signing-secret" })
    const stale = await h.send(notes(), { skew: -6 * 60 })
    expect([forged.status, stale.status]).toEqual([401, 401])
    expect(await h.sandbox.requests()).toEqual([])

    const posted = await settle(h)
    expect(posted.map((p) => p.path)).toEqual([`/commands/${TEAM}/3/hook`, `/commands/${TEAM}/3/hook`])
    expect(await h.creates()).toHaveLength(1)
  })

  it("answers an unauthorised workspace with an ephemeral refusal and sends nothing", async () => {
    const h = await harness({
      authorize: ({ team_id }) => {
        if (team_id === "T0BROKEN") throw new Error("directory lookup failed")
        return team_id === TEAM ? { integrationId: DEMO.integrationId, propertyId: DEMO.propertyId } : undefined
      }
    })
    const refused = await h.send(notes(), { team: "T0STRANGER" })
    expect(refused.status).toBe(200)
    expect(refused.ack).toEqual({
      response_type: "ephemeral",
      text: ":no_entry: /applicant-event cannot record applicant events from here: this workspace or channel " +
        "is not connected to a Propexo integration. Nothing was sent."
    })
    const broken = await h.send(notes(), { team: "T0BROKEN" })
    expect(broken.ack.response_type).toBe("ephemeral")
    expect(broken.ack.text).toMatch(/^:warning: Could not check whether/)
    expect(shown(broken.ack)).not.toContain("directory lookup failed")
    expect(h.logs.some((line) => line.startsWith("warn") && line.includes("directory lookup failed"))).toBe(true)
    expect(await h.sandbox.requests()).toEqual([])

    const posted = await settle(h)
    expect(posted.map((p) => p.path)).toEqual([`/commands/${TEAM}/3/hook`, `/commands/${TEAM}/3/hook`])
  })

  it("acknowledges before Propexo answers, even when it answers slowly", async () => {
    const h = await harness()
    await settle(h) // warms the catalog, so only the create meets the latency
    await h.sandbox.setFaults({ latencyMs: 2000 })
    const { ack } = await h.send(notes())
    expect(ack.text).toMatch(/Recording/)
    expect(await h.creates()).toHaveLength(1) // the slow create has not been answered yet
    const posted = await h.followUps(3)
    expect(posted[2]!.body.text).toMatch(QUEUED)
    expect(await h.creates()).toHaveLength(2)
    await h.command.whenIdle()
    expect(h.timeline).toEqual(["ack", "follow-up", "follow-up", "ack", "follow-up", "follow-up"])
  })

  it("lists every problem of the text in the acknowledgement, escaped, and sends nothing", async () => {
    const now = Date.parse("2026-11-28T19:00:00Z")
    const h = await harness({ clock: fixedClock(now) })
    const text = `Notes applicant=a1 at=25:00 duration=abc colour=red &lt;oops&gt;`
    const expected = parseCommandText(text, { integrationId: DEMO.integrationId, now })
    if (expected._tag !== "Problems") throw new Error("the text was meant to have problems")
    expect(expected.problems.length).toBeGreaterThanOrEqual(4)

    const { ack } = await h.send(text)
    expect(ack.response_type).toBe("ephemeral")
    expect(ack.text).toBe(`:x: Nothing was recorded: ${expected.problems.length} problems with the command.`)
    for (const problem of expected.problems) {
      expect(shown(ack)).toContain(JSON.stringify(`• ${escaped(problem)}`).slice(1, -1))
    }
    expect(shown(ack)).toContain("&lt;oops&gt;")
    expect(shown(ack)).not.toContain("<oops>")
    expect(await h.sandbox.requests()).toEqual([])

    const posted = await settle(h)
    expect(posted.map((p) => p.path)).toEqual([`/commands/${TEAM}/2/hook`, `/commands/${TEAM}/2/hook`])
  })

  it("answers help, and empty text, with the grammar", async () => {
    const h = await harness()
    for (const text of ["help", ""]) {
      const { ack } = await h.send(text)
      expect(ack).toEqual({ response_type: "ephemeral", text: HELP_TEXT })
    }
    expect(await h.sandbox.requests()).toEqual([])
  })

  it("names the command as registered in the help", async () => {
    const h = await harness({ command: "/event" })
    const { ack } = await h.send("help")
    expect(ack.text).toContain("`/event help`")
    expect(ack.text).not.toContain("/applicant-event")
  })

  it("reports the core's problems with a call lacking call fields in the follow-up, sending nothing", async () => {
    const h = await harness({ responseType: "in_channel" })
    const { ack } = await h.send(`Call-Outgoing ${BASE} at=now status=answered`)
    expect(ack.text).toMatch(/Recording/)
    const [followUp] = await h.followUps(1)
    const message = followUp!.body
    expect(message.text).toBe(
      `:x: Nothing was recorded (*Call-Outgoing* for applicant \`${DEMO.applicantId}\`): ` +
        "Entrata would refuse this event."
    )
    const missing = [
      "from (call_phone_number_from)",
      "to (call_phone_number_to)",
      "duration (call_duration)",
      "audio (call_audio_link)"
    ]
    for (const key of missing) {
      expect(shown(message)).toContain(`• ${key}: is required for call event types`)
    }
    expect(shown(message)).not.toContain("status (call_status)")
    expect(await h.creates()).toEqual([])
  })

  it("says an event may have been recorded when the create meets a 5xx", async () => {
    const h = await harness()
    await settle(h) // warms the catalog, so only the create meets the outage
    await h.sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
    await h.send(notes())
    await h.command.whenIdle()
    const [message, ...more] = postsOf(h, 2)
    expect(more).toEqual([])
    if (message === undefined) throw new Error("the command had no follow-up")
    expect(message.text).toMatch(
      /^:warning: \*Notes\* for applicant `[a-z0-9]+` \*may have been recorded\*: Propexo is unavailable/
    )
    expect(message.text).toContain("Check Entrata before running the command again")
    const creates = await h.creates()
    expect(creates.map((r) => r.status)).toEqual([200, 503])
    expect(shown(message)).not.toMatch(/\n\s+at /)
  })

  it("refuses a name that stands for event types of several properties, and takes the id", async () => {
    const h = await harness({ authorize: () => DEMO.integrationId })
    await h.send(notes())
    const [byName] = await h.followUps(1)
    expect(byName!.body.text).toMatch(/^:x: Nothing was recorded: one problem/)
    expect(shown(byName!.body)).toContain(`\\"Notes\\" names 2 event types in this integration, one per property`)
    expect(await h.creates()).toEqual([])

    await h.send(`${DEMO.eventTypeIds.Notes} ${BASE} at=now`)
    const [, byId] = await h.followUps(2)
    expect(byId!.body.text).toMatch(QUEUED)
    expect(byId!.body.text).toContain("*Notes*")
    expect(await h.creates()).toHaveLength(1)
  })

  it("reads from= of an email type given by id as an email once the catalog names the type", async () => {
    const h = await harness()
    const text = `${DEMO.eventTypeIds["Email-Outgoing"]} ${BASE} at=now from=leasing@example.com subject=Hello send=no`
    const { ack } = await h.send(text)
    expect(ack.text).toMatch(/Recording/)
    const [followUp] = await h.followUps(1)
    expect(followUp!.body.text).toMatch(QUEUED)
    expect(followUp!.body.text).toContain("*Email-Outgoing*")
    const [create] = await h.creates()
    expect(JSON.parse(create!.body!)).toMatchObject({ email_from: "leasing@example.com", email_send: false })
  })

  it("still records by id when the catalog cannot be read, and says so", async () => {
    const outage = new PropexoError.PropexoUnavailable({ status: 503, reason: "HTTP 503", ambiguous: false })
    const h = await harness({
      services: (live) =>
        Layer.mergeAll(
          Layer.effect(ApplicantEvents, ApplicantEvents),
          Layer.effect(WriteStatus.WriteStatus, WriteStatus.WriteStatus),
          Layer.effect(
            EventTypeCatalog.EventTypeCatalog,
            Effect.map(EventTypeCatalog.EventTypeCatalog, (catalog) => ({
              ...catalog,
              eventTypes: () => Effect.fail(outage)
            }))
          )
        ).pipe(Layer.provide(live))
    })
    await h.send(`${DEMO.eventTypeIds.Notes} ${BASE} at=now`)
    await h.send(notes())
    // Each command's follow-ups go to its own response URL (…/<sequence>/hook); they may arrive in any order.
    await h.command.whenIdle()
    const [byId, recorded] = postsOf(h, 1)
    const [byName, ...more] = postsOf(h, 2)
    const footnote = "The event type catalog could not be read (Propexo is unavailable: HTTP 503)"
    expect(byId!.text).toMatch(QUEUED)
    expect(shown(byId!)).toContain(footnote)
    expect(recorded!.text).toMatch(/^:white_check_mark: Recorded in Entrata/)
    expect(byName!.text).toMatch(/^:x: Nothing was recorded/)
    expect(shown(byName!)).toContain("• event_type_id: is not an event type Propexo knows: Notes")
    expect(shown(byName!)).toContain(footnote)
    expect(more).toEqual([])
    expect(await h.creates()).toHaveLength(1)
  })

  it("answers an unexpected failure without its details, and logs it", async () => {
    const h = await harness({
      services: (live) =>
        Layer.mergeAll(
          Layer.succeed(
            ApplicantEvents,
            ApplicantEvents.of({ create: () => Effect.die(new Error("boom in the client")) })
          ),
          Layer.effect(EventTypeCatalog.EventTypeCatalog, EventTypeCatalog.EventTypeCatalog),
          Layer.effect(WriteStatus.WriteStatus, WriteStatus.WriteStatus)
        ).pipe(Layer.provide(live))
    })
    await h.send(notes())
    const [followUp] = await h.followUps(1)
    expect(followUp!.body.text).toMatch(
      /^:warning: Something went wrong while recording the event; it \*may have been recorded\*/
    )
    expect(shown(followUp!.body)).not.toContain("boom")
    expect(shown(followUp!.body)).not.toMatch(/\n\s+at /)
    expect(h.logs.some((line) => line.startsWith("error") && line.includes("boom in the client"))).toBe(true)
  })

  it("makeExpressApp serves the command without a bot token", async () => {
    const h = await harness({ expressApp: true })
    const { ack } = await h.send(notes())
    expect(ack.text).toMatch(/Recording/)
    const [followUp] = await h.followUps(1)
    expect(followUp!.body.text).toMatch(QUEUED)
    expect((await h.send(notes(), { secret: "forged" })).status).toBe(401)
  })
})

/** One turn of the event loop: resolves from the next check phase. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe("Slack's rules for signed requests, in makeExpressApp's receiver", () => {
  /**
   * Posts to the receiver with node:http, writing `chunk` after `chunk` and
   * never ending the body (at most `most` bytes): answers the status of the
   * answer, which must come before the body does.
   */
  const endless = (h: Harness, headers: Readonly<Record<string, string>>, most: number) =>
    new Promise<number>((resolve, reject) => {
      const chunk = Buffer.alloc(1024, "x")
      const request = http.request(`${h.url}/slack/events`, { method: "POST", headers })
      let answered = false
      let written = 0
      request.on("response", (response) => {
        answered = true
        response.resume()
        resolve(response.statusCode ?? 0)
        request.destroy()
      })
      request.on("error", (error) => {
        if (!answered) reject(error)
      })
      const pump = () => {
        if (answered || written >= most) return
        written += chunk.length
        if (request.write(chunk)) setImmediate(pump)
        else request.once("drain", pump)
      }
      pump()
    })

  /** A signed command whose body is exactly `size` bytes, padded in its text. */
  const sized = (h: Harness, size: number) => {
    const base = h.sign("Notes ")
    const padding = size - base.body.length
    if (padding < 0) throw new Error(`a command takes ${base.body.length} bytes at least`)
    return h.sign(`Notes ${"x".repeat(padding)}`)
  }

  it("refuses with 413 a body declared larger than 64 KiB, before it arrives, and stays up", async () => {
    const h = await harness({ expressApp: true })
    const { headers } = h.sign(notes())
    // 64 KiB at most are written, of the 10 MiB announced: only the announcement can be refused.
    const status = await endless(h, { ...headers, "content-length": String(10 * 2 ** 20) }, 64 * 1024)
    expect(status).toBe(413)
    expect(await h.sandbox.requests()).toEqual([])
    expect(h.logs.some((line) => line.startsWith("warn") && line.includes("Content-Length 10485760 is over"))).toBe(
      true
    )
    const posted = await settle(h)
    expect(posted.map((p) => p.path)).toEqual([`/commands/${TEAM}/2/hook`, `/commands/${TEAM}/2/hook`])
  })

  it("refuses with 413 a streamed body without a length once it passes 64 KiB, and stays up", async () => {
    const h = await harness({ expressApp: true })
    const { headers } = h.sign(notes())
    const streamed = { "content-type": headers["content-type"]!, ...headers, "transfer-encoding": "chunked" }
    // 1 MiB at most, far below Bolt's own default limit of 4 MB.
    expect(await endless(h, streamed, 2 ** 20)).toBe(413)
    expect(await h.sandbox.requests()).toEqual([])
    expect(await h.creates()).toEqual([])
    await settle(h)
    expect(await h.creates()).toHaveLength(1)
  })

  it("reads a body of exactly 64 KiB and refuses one byte more", async () => {
    const h = await harness({ expressApp: true })
    const atLimit = await h.post(sized(h, 65_536))
    expect(atLimit.status).toBe(200)
    expect(atLimit.ack.text).toMatch(/^:x: Nothing was recorded/)
    expect((await h.post(sized(h, 65_537))).status).toBe(413)
  })

  it("takes another limit from bodyLimit", async () => {
    const h = await harness({ expressApp: true, bodyLimit: 2048 })
    expect((await h.post(sized(h, 2049))).status).toBe(413)
    const { ack, status } = await h.send(notes())
    expect(status).toBe(200)
    expect(ack.text).toMatch(/Recording/)
  })

  it("refuses with 401 a timestamp more than five minutes ahead, signed with the secret, sending nothing", async () => {
    const h = await harness({ expressApp: true })
    const ahead = await h.send(notes(), { skew: 6 * 60 })
    const behind = await h.send(notes(), { skew: -6 * 60 })
    const { body, headers } = h.sign(notes())
    const { "x-slack-request-timestamp": _, ...untimed } = headers
    const missing = await h.post({ body, headers: untimed })
    expect([ahead.status, behind.status, missing.status]).toEqual([401, 401, 401])
    expect(await h.sandbox.requests()).toEqual([])
    expect(h.posted).toEqual([])
    const refusals = h.logs.filter((line) => line.startsWith("warn") && line.includes("within five minutes of now"))
    expect(refusals).toHaveLength(3)

    const within = await h.send(notes(), { skew: 4 * 60 })
    expect(within.status).toBe(200)
    await h.command.whenIdle()
    expect(postsOf(h, 4).map((m) => m.text)).toEqual([
      expect.stringMatching(QUEUED),
      expect.stringMatching(/^:white_check_mark: Recorded in Entrata/)
    ])
  })

  it("answers a replayed request with the first one's acknowledgement and records the event once", async () => {
    const h = await harness({ expressApp: true })
    const request = h.sign(notes())
    // The second arrives while the first is still being answered, the third after.
    const [first, concurrent] = await Promise.all([h.post(request), h.post(request)])
    const later = await h.post(request)
    expect(first).toEqual({ status: 200, ack: expect.objectContaining({ text: expect.stringMatching(/Recording/) }) })
    expect([concurrent, later]).toEqual([first, first])
    await h.command.whenIdle()
    expect(await h.creates()).toHaveLength(1)
    expect(h.posted.map((p) => p.path)).toEqual([`/commands/${TEAM}/1/hook`, `/commands/${TEAM}/1/hook`])
    const replays = h.logs.filter((line) => line.startsWith("warn") && line.includes("a replay (same trigger_id 1.1.abc)"))
    expect(replays).toHaveLength(2)
  })

  it("takes the same signature and timestamp for a replay when the request has no trigger_id", async () => {
    const h = await harness({ expressApp: true })
    const request = h.sign(notes(), { triggerId: null })
    expect((await h.post(request)).status).toBe(200)
    expect((await h.post(request)).status).toBe(200)
    await h.command.whenIdle()
    expect(await h.creates()).toHaveLength(1)
    expect(h.posted).toHaveLength(2)
  })
})

describe("a command replayed with its trigger_id", () => {
  it("gets the first one's answer, whatever its text, and records nothing", async () => {
    const h = await harness()
    const refused = await h.send(`Notes ${BASE} at=25:00`, { triggerId: "7.1.same" })
    expect(refused.ack.text).toMatch(/^:x: Nothing was recorded: one problem/)
    const replayed = await h.send(notes(), { triggerId: "7.1.same" })
    expect(replayed).toEqual(refused)

    const first = await h.send(notes(), { triggerId: "8.1.other" })
    const again = await h.send(`Notes ${BASE} at=now notes="Something else"`, { triggerId: "8.1.other" })
    expect(again).toEqual(first)
    await h.command.whenIdle()
    const [create, ...more] = await h.creates()
    expect(more).toEqual([])
    expect(JSON.parse(create!.body!)).toMatchObject({ notes: "Asked about parking" })
    expect(h.posted.map((p) => p.path)).toEqual([`/commands/${TEAM}/3/hook`, `/commands/${TEAM}/3/hook`])

    // Another trigger_id is another command, even with the same text.
    await settle(h)
    expect(await h.creates()).toHaveLength(2)
  })
})

describe("what the follow-ups say", () => {
  it("says Recorded in Entrata only once the write status says so: a write still pending is not", async () => {
    const h = await harness({ sandbox: { jobDelay: "1 hour", slowDownDelay: 0 }, writeStatusTimeout: "1 second" })
    await h.send(notes())
    await h.command.whenIdle()
    const [create] = await h.creates()
    const [queued, pending, ...more] = postsOf(h, 1)
    expect(more).toEqual([])
    expect(queued!.text).toMatch(QUEUED)
    expect(pending!.text).toMatch(
      new RegExp(
        `^:warning: \\*Notes\\* for applicant \`${DEMO.applicantId}\` \\*may have been recorded\\*: ` +
          `Propexo queued the event as job ${create!.jobId}, but Entrata had not applied it after \\d+ s\\. ` +
          "Check Entrata before running the command again"
      )
    )
    expect(shown(queued!) + shown(pending!)).not.toContain("Recorded")
    const polls = (await h.sandbox.requests()).filter((r) => r.path.startsWith("/v1/admin/write-status/"))
    expect(polls.length).toBeGreaterThanOrEqual(1)
    expect(polls.map((r) => r.path)).toEqual(polls.map(() => `/v1/admin/write-status/${create!.jobId}`))
    const [job] = await h.sandbox.jobs()
    expect(job!.status).toBe("PENDING")
  })

  it("says nothing was recorded when Entrata refuses the queued write, with its reasons", async () => {
    const h = await harness()
    await h.send(`Notes applicant=a0nobody application=${DEMO.applicationId} at=now`)
    await h.command.whenIdle()
    const [create] = await h.creates()
    const [job] = await h.sandbox.jobs()
    expect(job!.status).toBe("FAILURE")
    const [queued, refused, ...more] = postsOf(h, 1)
    expect(more).toEqual([])
    expect(queued!.text).toMatch(QUEUED)
    expect(refused!.text).toBe(
      ":x: Nothing was recorded (*Notes* for applicant `a0nobody`): " +
        `Entrata refused the event (Propexo job ${create!.jobId}).`
    )
    expect(job!.errors.length).toBeGreaterThan(0)
    for (const reason of job!.errors) {
      expect(shown(refused!)).toContain(JSON.stringify(`• ${escaped(reason)}`).slice(1, -1))
    }
  })

  it("says the event may have been recorded, on one line, when the answer to the create is unreadable", async () => {
    const h = await harness()
    await settle(h) // warms the catalog, so only the create meets the fault
    await h.sandbox.setFaults({ malformedShare: 1 })
    await h.send(notes())
    await h.command.whenIdle()
    const [message, ...more] = postsOf(h, 2)
    expect(more).toEqual([])
    expect(message!.text).toMatch(
      /^:warning: \*Notes\* for applicant `[a-z0-9]+` \*may have been recorded\*: Propexo answered HTTP 200/
    )
    expect(shown(message!)).not.toMatch(/[└├│]/)
    expect(message!.text).not.toContain("\n")
  })
})

describe("RegisteredCommand", () => {
  it("resolves at once when no command is under way", async () => {
    const h = await harness({ expressApp: true })
    const idle = (command: RegisteredCommand) =>
      Promise.race([command.whenIdle().then(() => "idle"), turn().then(() => "waiting")])
    expect(await idle(h.command)).toBe("idle")
    await settle(h)
    expect(await idle(h.command)).toBe("idle")
  })

  it("resolves once a command acknowledged while Propexo is slow has had its follow-ups posted", async () => {
    const h = await harness({ expressApp: true })
    await settle(h) // warms the catalog
    await h.sandbox.setFaults({ latencyMs: 1000 })
    const { ack } = await h.send(notes())
    expect(ack.text).toMatch(/Recording/)
    let idle = false
    const whenIdle = h.command.whenIdle().then(() => {
      idle = true
    })
    await turn()
    expect(idle).toBe(false)
    expect(postsOf(h, 2)).toEqual([])
    await whenIdle
    expect(postsOf(h, 2).map((m) => m.text)).toEqual([
      expect.stringMatching(QUEUED),
      expect.stringMatching(/^:white_check_mark: Recorded in Entrata/)
    ])
    expect(await h.creates()).toHaveLength(2)
  })

  it("stops following write statuses when told, saying so at once, and is idle then", async () => {
    const h = await harness({ expressApp: true, sandbox: { jobDelay: "1 hour", slowDownDelay: 0 } })
    await h.send(notes())
    const [queued] = await h.followUps(1)
    expect(queued!.body.text).toMatch(QUEUED)
    h.command.stopFollowingWrites()
    await h.command.whenIdle()
    const [job] = await h.sandbox.jobs()
    expect(postsOf(h, 1).map((m) => m.text)).toEqual([
      queued!.body.text,
      `:warning: *Notes* for applicant \`${DEMO.applicantId}\` *may have been recorded*: it is queued in Entrata as ` +
        `job ${job!.id}, but this app stopped following its write status. Check Entrata before running the command ` +
        "again: Propexo cannot tell a repeat from a new event, so it may be recorded twice."
    ])
    expect(h.logs.some((line) => line.startsWith("warn") && line.includes(`following Propexo job ${job!.id} was stopped`)))
      .toBe(true)
  })
})

describe("messages", () => {
  const event = Either.getOrThrow(ApplicantEvent.decode({
    integration_id: DEMO.integrationId,
    applicant_id: DEMO.applicantId,
    application_id: DEMO.applicationId,
    event_type_id: DEMO.eventTypeIds["Email-Outgoing"],
    event_datetime: "2026-11-28T21:30:00Z"
  }))
  const failure = (error: ApplicantEventsError) => Messages.failed("ephemeral", error, event, "Email<1>&b", [])
  const mayHaveBeenRecorded = (message: Messages.Message) => message.text.includes("*may have been recorded*")

  it("says whether each error may have recorded the event, as the error's own ambiguous field says", () => {
    const cases: ReadonlyArray<readonly [ApplicantEventsError, boolean]> = [
      [new ApplicantEvent.InvalidApplicantEvent({ issues: [{ path: "email_from", message: "is required" }] }), false],
      [new PropexoError.PropexoBadRequest({ code: "invalid_request", detail: "Bad", issues: [], ambiguous: false }), false],
      [new PropexoError.PropexoUnauthorized({ status: 401, detail: "Invalid token", ambiguous: false }), false],
      [new PropexoError.PropexoNotFound({ what: "event type cm1", detail: "gone", ambiguous: false }), false],
      [new PropexoError.PropexoRateLimited({ resetAt: DateTime.unsafeMake("2026-11-28T21:31:00Z"), limit: 15, ambiguous: false }), false],
      [new PropexoError.PropexoUnavailable({ status: 503, reason: "HTTP 503", ambiguous: true }), true],
      [new PropexoError.PropexoUnavailable({ reason: "connection refused", ambiguous: false }), false],
      [new PropexoError.PropexoTimeout({ timeoutMillis: 30_000, ambiguous: true }), true],
      [new PropexoError.PropexoUnexpectedResponse({ status: 200, body: "{", reason: "the body is not JSON", ambiguous: true }), true],
      [new PropexoError.PropexoUnexpectedResponse({ status: 418, body: "", reason: "undocumented status 418", ambiguous: false }), false],
      // The client decides, not the status: an unreadable 200 to a request never sent as a create, an undeclared 502 to a create.
      [new PropexoError.PropexoUnexpectedResponse({ status: 200, body: "{", reason: "the body is not JSON", ambiguous: false }), false],
      [new PropexoError.PropexoUnexpectedResponse({ status: 502, body: "", reason: "undocumented status 502", ambiguous: true }), true],
      [new PropexoError.PropexoTimeout({ timeoutMillis: 30_000, ambiguous: false }), false],
      [new PropexoError.WriteFailed({ job_id: "job1", errors: ["Email must match"] }), false],
      [new PropexoError.WriteStillPending({ job_id: "job1", waitedMillis: 60_000 }), true]
    ]
    for (const [error, ambiguous] of cases) {
      const message = failure(error)
      expect(mayHaveBeenRecorded(message), error._tag).toBe(ambiguous)
      expect(message.text.startsWith(ambiguous ? ":warning:" : ":x: Nothing was recorded"), error._tag).toBe(true)
      expect(message.text).toContain("*Email&lt;1&gt;&amp;b*")
    }
  })

  it("lists the issues in plain words, by the keys people type", () => {
    const invalid = failure(
      new ApplicantEvent.InvalidApplicantEvent({
        issues: [{ path: "email_from", message: "is required for outgoing-email event types" }, {
          path: "",
          message: "is <odd>"
        }]
      })
    )
    expect(shown(invalid)).toContain("• from (email_from): is required for outgoing-email event types")
    expect(shown(invalid)).toContain("• is &lt;odd&gt;")
    const badRequest = failure(
      new PropexoError.PropexoBadRequest({
        code: "invalid_request",
        detail: "Unrecognized key(s) in object",
        issues: [{ path: "favourite_colour", message: "Unrecognized key" }],
        ambiguous: false
      })
    )
    expect(badRequest.text).toContain("Propexo refused the event (invalid_request): Unrecognized key(s) in object")
    expect(shown(badRequest)).toContain("• favourite_colour: Unrecognized key")
    const limited = failure(
      new PropexoError.PropexoRateLimited({ resetAt: DateTime.unsafeMake("2026-11-28T21:31:00Z"), limit: 150, ambiguous: false })
    )
    expect(limited.text).toContain("quota of 150 requests is used up until 2026-11-28 14:31 MST")
  })

  it("never shows Schema's tree output: whatever an error carries comes on one line", () => {
    const parsed = Schema.decodeUnknownEither(Schema.Struct({ meta: Schema.Struct({ job_id: Schema.String }) }))({
      meta: {}
    })
    if (Either.isRight(parsed)) throw new Error("the answer was meant not to match")
    const tree = ParseResult.TreeFormatter.formatErrorSync(parsed.left)
    expect(tree).toMatch(/\n\s*└─/) // what is at stake: Schema's multi-line tree
    const messages = [
      failure(new PropexoError.PropexoUnexpectedResponse({ status: 200, body: "{}", reason: tree, ambiguous: true })),
      failure(new PropexoError.PropexoBadRequest({ code: "invalid_request", detail: tree, issues: [], ambiguous: false })),
      failure(new ApplicantEvent.InvalidApplicantEvent({ issues: [{ path: "notes", message: tree }] })),
      failure(new PropexoError.WriteFailed({ job_id: "job1", errors: [tree] })),
      failure(new PropexoError.PropexoNotFound({ what: "event type", detail: tree, ambiguous: false })),
      Messages.problems("/applicant-event", [tree], [Messages.catalogUnavailable(tree)]),
      Messages.writeStatusUnknown("ephemeral", { job_id: "job1", sent: event, typeName: "Notes" }, tree),
      Messages.recorded("ephemeral", { job_id: "job1", sent: event, typeName: "Notes" }, {
        write_status: "PARTIAL_SUCCESS",
        errors: [tree]
      })
    ]
    for (const message of messages) {
      expect(shown(message)).not.toMatch(/[└├│]/)
      expect(shown(message)).toContain("[\\\"job_id\\\"]; is missing")
      expect(message.text).not.toContain("\n")
    }
  })

  it("words a write Entrata applied in part, and one whose status is unknown", () => {
    const queued = { job_id: "job1", sent: event, typeName: "Email<1>&b" }
    const partly = Messages.recorded("in_channel", queued, {
      write_status: "PARTIAL_SUCCESS",
      errors: ["Entrata: the <cc> address was dropped"]
    })
    expect(partly.response_type).toBe("in_channel")
    expect(partly.text).toBe(
      ":white_check_mark: Recorded in Entrata, in part: *Email&lt;1&gt;&amp;b* for applicant `" + DEMO.applicantId + "` " +
        "at 2026-11-28 14:30 MST (job job1)."
    )
    expect(shown(partly)).toContain("• Entrata: the &lt;cc&gt; address was dropped")
    const unread = Messages.writeStatusUnknown("ephemeral", queued, "Propexo did not answer within 30000 ms")
    expect(unread.text).toContain(
      ":warning: *Email&lt;1&gt;&amp;b* for applicant `" + DEMO.applicantId + "` *may have been recorded*: it is queued in " +
        "Entrata as job job1, but its write status could not be read (Propexo did not answer within 30000 ms). " +
        "Check Entrata"
    )
    expect(Messages.writeStatusUnknown("ephemeral", queued, undefined).text).toContain(
      "but this app stopped following its write status."
    )
  })

  it("keeps many long problems within Slack's limits", () => {
    const problems = Array.from({ length: 500 }, (_, i) => `${i}: ${"x".repeat(400)} & more`)
    const message = Messages.problems("/applicant-event", problems)
    const blocks = message.blocks ?? []
    expect(blocks.length).toBeLessThanOrEqual(50)
    for (const block of blocks) {
      const text = block.type === "section" ? block.text?.text : undefined
      if (text !== undefined) expect(text.length).toBeLessThanOrEqual(3000)
    }
    expect(shown(message)).toContain("• 0: x")
    expect(shown(message)).toContain("&amp; more")
    expect(shown(message)).toContain("…and more problems: fix these first.")
  })
})

describe("registration", () => {
  // Never run: registration only checks that it is a ManagedRuntime.
  const runtime = ManagedRuntime.make(Layer.empty) as unknown as ManagedRuntime.ManagedRuntime<Services, never>
  const app = () =>
    new App({
      token: "xoxb-test",
      botId: "B0TEST",
      botUserId: "U0BOT",
      tokenVerificationEnabled: false,
      signingSecret: SECRET
    })

  it("refuses to register without authorize, saying why", () => {
    // A caller without types may leave it out; the check is at run time.
    const options = { runtime } as unknown as Options
    expect(() => registerApplicantEventCommand(app(), options)).toThrow(
      /options\.authorize is required: .*any Slack workspace that installs the app could record events/
    )
  })

  it("refuses a missing runtime, a bad command name and an unknown time zone", () => {
    const authorize = () => DEMO.integrationId
    // As above, a caller without types may leave the runtime out.
    expect(() => registerApplicantEventCommand(app(), { authorize } as unknown as Options)).toThrow(/options\.runtime/)
    expect(() => registerApplicantEventCommand(app(), { runtime, authorize, command: "applicant-event" })).toThrow(
      /options\.command/
    )
    expect(() => registerApplicantEventCommand(app(), { runtime, authorize, timeZone: "Mars/Olympus" })).toThrow(
      /options\.timeZone/
    )
  })

  it("refuses a write status timeout that is not a positive, finite duration", () => {
    const authorize = () => DEMO.integrationId
    for (const writeStatusTimeout of ["0 seconds", "soon", Infinity, -5]) {
      // A caller without types may pass any value; the check is at run time.
      const options = { runtime, authorize, writeStatusTimeout } as unknown as Options
      expect(() => registerApplicantEventCommand(app(), options), String(writeStatusTimeout)).toThrow(
        /options\.writeStatusTimeout must be a positive, finite duration/
      )
    }
  })

  it("makeExpressApp refuses a body limit that is not a positive whole number of bytes", () => {
    for (const bodyLimit of [0, 1.5, -1, Number.NaN]) {
      const options = { runtime, authorize: () => null, signingSecret: Redacted.make(SECRET), bodyLimit }
      expect(() => makeExpressApp(options), String(bodyLimit)).toThrow(/options\.bodyLimit must be a positive whole/)
    }
  })

  it("makeExpressApp refuses a signing secret that is not Redacted", () => {
    // A caller without types may pass the secret as a string; the check is at run time.
    const options = { runtime, authorize: () => null, signingSecret: SECRET } as unknown as ExpressAppOptions
    expect(() => makeExpressApp(options)).toThrow(/signingSecret must be Redacted/)
  })
})

/** A span as the recording tracer keeps it. */
interface RecordedSpan {
  readonly name: string
  readonly spanId: string
  readonly traceId: string
}

/** A tracer that keeps every span it starts; a root span starts a trace of its own. */
const recordingTracer = (spans: Array<RecordedSpan>): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const spanId = `span-${spans.length + 1}`
      const traceId = Option.match(parent, { onNone: () => `trace-${spans.length + 1}`, onSome: (p) => p.traceId })
      spans.push({ name, spanId, traceId })
      return {
        _tag: "Span",
        name,
        spanId,
        traceId,
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: new Map(),
        links,
        sampled: true,
        kind,
        end: () => {},
        attribute: () => {},
        event: () => {},
        addLinks: () => {}
      }
    },
    context: (f) => f()
  })

describe("logging", () => {
  it("writes every line of a command to Bolt's logger through Effect's, with its annotations and trace ids", async () => {
    const spans: Array<RecordedSpan> = []
    const h = await harness({
      // Debug: the Propexo client's own lines come too.
      services: (live) =>
        Layer.mergeAll(live, Layer.setTracer(recordingTracer(spans)), EffectLogger.minimumLogLevel(EffectLogLevel.Debug)),
      authorize: ({ team_id }) => {
        if (team_id === "T0BROKEN") throw new Error("directory lookup failed")
        return { integrationId: DEMO.integrationId, propertyId: DEMO.propertyId }
      }
    })
    await h.send(notes())
    await h.command.whenIdle()
    const [command, ...otherCommands] = spans.filter((s) => s.name === "ApplicantEventCommand.command")
    expect(otherCommands).toEqual([])
    const record = spans.find((s) => s.name === "ApplicantEventCommand.record")
    const queued = h.logs.filter((line) => line.includes("Propexo queued an event"))
    expect(queued).toHaveLength(1)
    expect(queued[0]).toMatch(/^info /)
    for (
      const field of [
        "command=/applicant-event",
        `team=${TEAM}`,
        "triggerId=1.1.abc",
        `integration=${DEMO.integrationId}`,
        `effect.traceId=${command!.traceId}`,
        `effect.spanId=${record!.spanId}`,
        "effect.spanName=ApplicantEventCommand.record"
      ]
    ) expect(queued[0]).toContain(` ${field}`)
    expect(queued[0]).toMatch(/ slackCommand=\d+ms/)

    // A line from before the acknowledgement is the command's too, in a trace of its own.
    await h.send(notes(), { team: "T0BROKEN" })
    const [, broken] = spans.filter((s) => s.name === "ApplicantEventCommand.command")
    const refusal = h.logs.find((line) => line.includes("directory lookup failed"))
    expect(refusal).toMatch(/^warn /)
    expect(refusal).toContain(" team=T0BROKEN")
    expect(refusal).toContain(" triggerId=2.1.abc")
    expect(refusal).toContain(` effect.traceId=${broken!.traceId}`)
    expect(broken!.traceId).not.toBe(command!.traceId)

    // The Propexo client's own lines (at debug, on a failed call) are in the command's trace, under its annotations.
    await h.sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
    await h.send(notes())
    await h.command.whenIdle()
    const [, , failing] = spans.filter((s) => s.name === "ApplicantEventCommand.command")
    const client = h.logs.filter((line) => line.startsWith("debug") && line.includes("Propexo "))
    expect(client.length).toBeGreaterThan(0)
    for (const line of client) {
      expect(line).toContain(` effect.traceId=${failing!.traceId}`)
      expect(line).toContain(" triggerId=3.1.abc")
    }
    expect(h.logs.join("\n")).not.toContain(h.sandbox.token)
  })
})

describe("services", () => {
  it("takes a layer, builds it once for every command, and releases it on dispose", async () => {
    let built = 0
    let released = 0
    const counted = Layer.scopedDiscard(Effect.acquireRelease(
      Effect.sync(() => {
        built += 1
      }),
      () =>
        Effect.sync(() => {
          released += 1
        })
    ))
    const h = await harness({ asLayer: true, services: (live) => Layer.merge(live, counted) })
    expect(built).toBe(0)
    await settle(h)
    await settle(h)
    expect(postsOf(h, 2).map((m) => m.text)).toEqual([
      expect.stringMatching(QUEUED),
      expect.stringMatching(/^:white_check_mark: Recorded in Entrata/)
    ])
    expect([built, released]).toEqual([1, 0])
    await h.command.dispose()
    expect([built, released]).toEqual([1, 1])
  })

  it("answers that nothing was sent when its services cannot be built, and logs why", async () => {
    const h = await harness({
      asLayer: true,
      services: (live) => Layer.provide(live, Layer.fail(new Error("no Propexo token configured")))
    })
    const { ack, status } = await h.send(notes())
    expect(status).toBe(200)
    expect(ack).toEqual({
      response_type: "ephemeral",
      text: ":warning: /applicant-event cannot record applicant events right now, so nothing was sent. " +
        "Try again in a moment."
    })
    expect(shown(ack)).not.toContain("token")
    expect(h.logs.some((line) => line.startsWith("error") && line.includes("no Propexo token configured"))).toBe(true)
    expect(await h.sandbox.requests()).toEqual([])
    expect(h.posted).toEqual([])
  })

  it("exports the registration and the Bolt app at the package root, as the Express router is", async () => {
    const root = await import("../src/index.js")
    expect(root.registerApplicantEventCommand).toBe(registerApplicantEventCommand)
    expect(root.makeExpressApp).toBe(makeExpressApp)
    expect(root.ApplicantEventCommand.registerApplicantEventCommand).toBe(registerApplicantEventCommand)
  })
})

describe("options", () => {
  const app = () =>
    new App({
      token: "xoxb-test",
      botId: "B0TEST",
      botUserId: "U0BOT",
      tokenVerificationEnabled: false,
      signingSecret: SECRET
    })
  const authorize = () => DEMO.integrationId
  const refusal = (register: () => unknown): InvalidOptions => {
    try {
      register()
    } catch (error) {
      if (error instanceof InvalidOptions) return error
      throw error
    }
    throw new Error("the options were accepted")
  }

  it("refuses every invalid option at once, as one typed error naming each and its rule", () => {
    const layer = Layer.empty as unknown as Layer.Layer<Services> // Never built: refused first.
    const error = refusal(() =>
      registerApplicantEventCommand(app(), {
        layer,
        authorize,
        command: "applicant-event",
        timeZone: "Mars/Olympus",
        responseType: "everyone" as unknown as ResponseType, // As a caller without types may pass it.
        writeStatusTimeout: "soon" as unknown as Duration.DurationInput
      })
    )
    expect(error._tag).toBe("InvalidOptions")
    expect(error.of).toBe("registerApplicantEventCommand")
    expect(error.issues).toEqual([
      { path: "command", message: "must be a slash command such as /applicant-event, got \"applicant-event\"" },
      { path: "timeZone", message: "must be an IANA time zone this runtime knows, such as America/Denver" },
      { path: "responseType", message: "must be \"ephemeral\" or \"in_channel\"" },
      { path: "writeStatusTimeout", message: "must be a positive, finite duration" }
    ])
    expect(error.message).toBe(
      "registerApplicantEventCommand: options.command must be a slash command such as /applicant-event, got " +
        "\"applicant-event\"; options.timeZone must be an IANA time zone this runtime knows, such as America/Denver; " +
        "options.responseType must be \"ephemeral\" or \"in_channel\"; options.writeStatusTimeout must be a positive, " +
        "finite duration"
    )
  })

  it("needs a runtime or a layer, not both", () => {
    const layer = Layer.empty as unknown as Layer.Layer<Services> // Never built: refused first.
    const runtime = ManagedRuntime.make(layer)
    // As a caller without types may pass them.
    const neither = { authorize } as unknown as Options
    const both = { runtime, layer, authorize } as unknown as Options
    expect(refusal(() => registerApplicantEventCommand(app(), neither)).issues).toEqual([
      {
        path: "runtime",
        message: "or options.layer is required: a ManagedRuntime or a Layer providing ApplicantEvents, " +
          "EventTypeCatalog and WriteStatus"
      }
    ])
    expect(refusal(() => registerApplicantEventCommand(app(), both)).issues).toEqual([
      { path: "layer", message: "cannot be given with options.runtime: pass one of them" }
    ])
  })
})
