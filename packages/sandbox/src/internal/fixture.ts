/**
 * The simulator's default world as data: two Entrata integrations, three
 * properties with their catalogs, four applicants with one application
 * each, employees and units. Propexo-like ids are fixed here, so
 * documentation and examples can quote them; `DEMO` and `OTHER` name the
 * records they point at rather than repeat their ids. `Seed` exports it,
 * typed by its schemas.
 */

const CREATED_AT = "2024-06-03T15:04:05.000Z"
const UPDATED_AT = "2025-01-06T08:00:00.000Z"
const LAST_SEEN = "2025-01-06T08:00:00.000Z"

/** Entrata's own event-type ids; the same for every property of a client. */
const EVENT_TYPE_NAMES = {
  "Call-Incoming": "1",
  "Call-Outgoing": "2",
  "Email-Incoming": "3",
  "Email-Outgoing": "4",
  "Text-Incoming": "5",
  "Text-Outgoing": "6",
  Appointment: "7",
  Tour: "8",
  "Walk-In": "9",
  Notes: "10"
} as const

type EventTypeName = keyof typeof EVENT_TYPE_NAMES

/** Entrata's documented sub-types under Appointment. */
const SUB_TYPES = {
  "453": "Leasing Appointments",
  "560": "Self-Guided Tour",
  "454": "Tour",
  "525": "Virtual Tour"
} as const

type SubTypeXId = keyof typeof SUB_TYPES

const RESULTS = {
  leftVoicemail: { x_id: "31", name: "Left Voicemail", types: ["Call-Outgoing"] },
  spokeWithProspect: { x_id: "32", name: "Spoke With Prospect", types: ["Call-Incoming", "Call-Outgoing"] },
  scheduled: { x_id: "33", name: "Scheduled", types: ["Appointment", "Tour"] },
  completed: { x_id: "34", name: "Completed", types: ["Appointment", "Tour"] },
  noShow: { x_id: "35", name: "No Show", types: ["Appointment", "Tour"] }
} as const satisfies Record<string, { x_id: string; name: string; types: ReadonlyArray<EventTypeName> }>

type ResultKey = keyof typeof RESULTS

interface CatalogIds {
  readonly eventTypes: { readonly [K in EventTypeName]: string }
  readonly subTypes: { readonly [K in SubTypeXId]: string }
  readonly results: { readonly [K in ResultKey]: string }
}

interface PropertyFixture {
  readonly property: {
    readonly id: string
    readonly integration_id: string
    readonly x_id: string
    readonly name: string
  }
  readonly vendor: string
  /** Whether Propexo fills event types' `code`: some customers' catalogs leave it null, so clients must fall back on `name`. */
  readonly withCodes: boolean
  readonly ids: CatalogIds
}

const catalogOf = ({ ids, property, vendor, withCodes }: PropertyFixture) => {
  const base = (id: string, x_id: string, name: string) => ({
    id,
    created_at: CREATED_AT,
    updated_at: UPDATED_AT,
    last_seen: LAST_SEEN,
    x_id,
    x_property_id: property.x_id,
    x_location_id: null,
    name,
    integration_id: property.integration_id,
    integration_vendor: vendor,
    property_id: property.id
  })
  const names = Object.keys(EVENT_TYPE_NAMES) as ReadonlyArray<EventTypeName> // keys of a literal object
  const subTypeXIds = Object.keys(SUB_TYPES) as ReadonlyArray<SubTypeXId> // keys of a literal object
  const resultKeys = Object.keys(RESULTS) as ReadonlyArray<ResultKey> // keys of a literal object
  return {
    event_types: names.map((name) => ({
      ...base(ids.eventTypes[name], EVENT_TYPE_NAMES[name], name),
      code: withCodes ? name : null,
      models: ["applicant", "lead"]
    })),
    event_sub_types: subTypeXIds.map((x_id) => ({
      ...base(ids.subTypes[x_id], x_id, SUB_TYPES[x_id]),
      event_type_id: ids.eventTypes.Appointment,
      x_event_type_id: EVENT_TYPE_NAMES.Appointment
    })),
    event_results: resultKeys.map((key) => ({
      ...base(ids.results[key], RESULTS[key].x_id, RESULTS[key].name),
      associated_event_type_ids: RESULTS[key].types.map((name) => ids.eventTypes[name])
    }))
  }
}

const INTEGRATION_A = "cmbbv7882e3lzgdwsodofqop6"
const INTEGRATION_B = "cmjub7iqg37pvl4dtnuye2al9"

const ASPEN_LOFTS: PropertyFixture = {
  property: { id: "cm0rxzwroikxkvltaghvnm6xx", integration_id: INTEGRATION_A, x_id: "100001", name: "The Aspen Lofts" },
  vendor: "ENTRATA",
  withCodes: true,
  ids: {
    eventTypes: {
      "Call-Incoming": "cmwbjr4z32ykcatxg6u41vtt6",
      "Call-Outgoing": "cmp54hkz0ntgd3363hwzlbem3",
      "Email-Incoming": "cmnarhos9hrrrboriobtoqj4i",
      "Email-Outgoing": "cmxb0jkqpj8xsqmxv1j1sp1zs",
      "Text-Incoming": "cmjluk0zmq9b8z8b014ilf08o",
      "Text-Outgoing": "cmzpoosoaphe2cki4bqzrxdoi",
      Appointment: "cmhbxd602r6zowoigz6j8lyyo",
      Tour: "cmrm9dzzmyfw3gx8crf6a1y2u",
      "Walk-In": "cmp8iyfa9t9ygv23ew0sd6k85",
      Notes: "cmv7ypssgr27b6eu2l9he0j9r"
    },
    subTypes: {
      "453": "cm131s9dudbhsi3j9fdoseeot",
      "560": "cmqwdclsghqffp7rm3y6oqmlg",
      "454": "cmq9wu3jai44g08ohvyqv1q9m",
      "525": "cml8oaiis637nb16ch7xq2gsv"
    },
    results: {
      leftVoicemail: "cmacl54s3833vi05pbpvsnbz7",
      spokeWithProspect: "cmgyril0ohmvohd9nmdiacp7d",
      scheduled: "cmvhjgu72jhepjxrm55lmdbon",
      completed: "cmjuazw127fo32kr6l5dxvvnx",
      noShow: "cmc5ucb8dgcyexn19rgrs8gjt"
    }
  }
}

const BOULDER_CREEK: PropertyFixture = {
  property: {
    id: "cmbl78oqtnn2frvebpqo8mstj",
    integration_id: INTEGRATION_A,
    x_id: "100002",
    name: "Boulder Creek Commons"
  },
  vendor: "ENTRATA",
  withCodes: true,
  ids: {
    eventTypes: {
      "Call-Incoming": "cmlgumxkc0lg10muxvsap8ihx",
      "Call-Outgoing": "cmm82u05x1o63pnng0tzr6nzu",
      "Email-Incoming": "cm21x6cd4rt639ih4hhvqiy4o",
      "Email-Outgoing": "cm39wq0zigp6vxsasev4t3oub",
      "Text-Incoming": "cm34so0sewnz8ansoefqbe5id",
      "Text-Outgoing": "cmmpiqlykosdjejfkbdrgxc15",
      Appointment: "cm542b01mcalbvu65pjobgpcp",
      Tour: "cmraqgc3kg6bmgwo8y3ku345y",
      "Walk-In": "cmo6ywch8donpdw86i3urouhn",
      Notes: "cmr31k19try1em6ipt6ae7oqr"
    },
    subTypes: {
      "453": "cmombdye5q6dzdp0u5y5qtyb0",
      "560": "cmngcmvb7wt1qsvd0vvzhw03g",
      "454": "cmfglhr2f08gphn7yitkcmqhn",
      "525": "cmobkvafg7clx8rphlupgvlcn"
    },
    results: {
      leftVoicemail: "cmgoq7hvwrgh3ceqjq9wly9s5",
      spokeWithProspect: "cmy9xdcbm0simavjbh6rjse0n",
      scheduled: "cmy88x58lr3fi0p7ompelendz",
      completed: "cmbbk1paajb9dp35sym0qjgn5",
      noShow: "cm82s80em9882yfe1ri0ckyk2"
    }
  }
}

const RED_ROCK: PropertyFixture = {
  property: { id: "cmix43jasur0abxio1iodv9gn", integration_id: INTEGRATION_B, x_id: "200001", name: "Red Rock Villas" },
  vendor: "ENTRATA",
  withCodes: false,
  ids: {
    eventTypes: {
      "Call-Incoming": "cm55leuxi5tcikhg82nsoqfnr",
      "Call-Outgoing": "cmblqh8t7wrpswrqtw8gkdier",
      "Email-Incoming": "cmsep8rd05axttc7wz99syvks",
      "Email-Outgoing": "cmxiffmdg3s7eflbvj7auluom",
      "Text-Incoming": "cmo1hag1utpsv3zqvzfrktfh8",
      "Text-Outgoing": "cmy6xcoho0w6pcvdqxewdqhvw",
      Appointment: "cm9eu2almoflsqeh81mn4b026",
      Tour: "cmflss0u54pf38lt9ynkf0687",
      "Walk-In": "cmjb4807r991mecs77c6xlelu",
      Notes: "cml7tz221sxmyul2ef7pqs8t1"
    },
    subTypes: {
      "453": "cmp348i7mg50lj45vharowkt1",
      "560": "cmjfchanqpnjqwmou9do7tx4j",
      "454": "cmumpgwtduk5kq6wr4d5iugmx",
      "525": "cmpkcsrgsyifvbsvp716rhq4e"
    },
    results: {
      leftVoicemail: "cmdgvz15ygk5equmubfya51gi",
      spokeWithProspect: "cmqc3c8imby9gwcrznbgx9ktz",
      scheduled: "cmqf7ngxb8gx5word7t1lnz2l",
      completed: "cmrix3fco9lxy9stv4fuv97zy",
      noShow: "cm5l8w7lhnfbknr95kqg4kxkz"
    }
  }
}

const INTEGRATIONS = [
  { id: INTEGRATION_A, name: "Sunrise Residential", vendor: "ENTRATA" },
  { id: INTEGRATION_B, name: "Canyon Ridge Living", vendor: "ENTRATA" }
]

const JANE_DOE = {
  id: "cmvy478qcf2efqg6rrjxscwa2",
  integration_id: INTEGRATION_A,
  property_id: ASPEN_LOFTS.property.id,
  x_id: "4410021",
  first_name: "Jane",
  last_name: "Doe",
  primary_email: "jane.doe@example.com"
}

const CARLOS_RIVERA = {
  id: "cm1ekb27wlhbbsbiu7je8mh1d",
  integration_id: INTEGRATION_A,
  property_id: ASPEN_LOFTS.property.id,
  x_id: "4410022",
  first_name: "Carlos",
  last_name: "Rivera",
  primary_email: "carlos.rivera@example.com"
}

const PRIYA_SHAH = {
  id: "cmlcwbo6zoiahbaa42ve4bjbz",
  integration_id: INTEGRATION_A,
  property_id: BOULDER_CREEK.property.id,
  x_id: "4410023",
  first_name: "Priya",
  last_name: "Shah",
  primary_email: "priya.shah@example.com"
}

const TOM_BECKER = {
  id: "cm475yyu2pswaoztf2508fyte",
  integration_id: INTEGRATION_B,
  property_id: RED_ROCK.property.id,
  x_id: "7720001",
  first_name: "Tom",
  last_name: "Becker",
  primary_email: "tom.becker@example.net"
}

const ASPEN_101 = {
  id: "cmeg4he6xgx4q1fkwph72m40a",
  integration_id: INTEGRATION_A,
  property_id: ASPEN_LOFTS.property.id,
  x_id: "301",
  name: "101"
}

const ASPEN_102 = {
  id: "cmsnunqc122pl3vemqxvc6fb9",
  integration_id: INTEGRATION_A,
  property_id: ASPEN_LOFTS.property.id,
  x_id: "302",
  name: "102"
}

const BOULDER_A201 = {
  id: "cmqqc5puao5ipdosjyln6kghr",
  integration_id: INTEGRATION_A,
  property_id: BOULDER_CREEK.property.id,
  x_id: "401",
  name: "A-201"
}

const RED_ROCK_12 = {
  id: "cmu0vggefobxy0mf70ofau5zf",
  integration_id: INTEGRATION_B,
  property_id: RED_ROCK.property.id,
  x_id: "501",
  name: "12"
}

/** An applicant's application, at the applicant's property. */
const applicationOf = (
  applicant: { readonly id: string; readonly integration_id: string; readonly property_id: string },
  id: string,
  x_id: string,
  unit: { readonly id: string } | null
) => ({
  id,
  integration_id: applicant.integration_id,
  property_id: applicant.property_id,
  applicant_id: applicant.id,
  x_id,
  unit_id: unit === null ? null : unit.id
})

const JANE_DOE_APPLICATION = applicationOf(JANE_DOE, "cmxfpldv1o2tj05eddvwmq5sr", "9910001", ASPEN_101)
const CARLOS_RIVERA_APPLICATION = applicationOf(CARLOS_RIVERA, "cmgmny7sw0h7wf4e077ktxnjp", "9910002", null)
const PRIYA_SHAH_APPLICATION = applicationOf(PRIYA_SHAH, "cm9pt5h8tf8qihd5euienudpz", "9910003", BOULDER_A201)
const TOM_BECKER_APPLICATION = applicationOf(TOM_BECKER, "cmy3ke9ajt1woitfuja470x4h", "9920001", RED_ROCK_12)

const MORGAN_REYES = {
  id: "cmyfnerokll7l98xcwsg0e520",
  integration_id: INTEGRATION_A,
  property_id: ASPEN_LOFTS.property.id,
  x_id: "5001",
  first_name: "Morgan",
  last_name: "Reyes",
  email: "morgan.reyes@sunrise-residential.example"
}

const AVERY_CHEN = {
  id: "cm0qv2ce4vpg93oki7agrbm0l",
  integration_id: INTEGRATION_A,
  property_id: BOULDER_CREEK.property.id,
  x_id: "5002",
  first_name: "Avery",
  last_name: "Chen",
  email: "avery.chen@sunrise-residential.example"
}

const SAM_OKAFOR = {
  id: "cmxbab1wddb0p0p30czwz40ot",
  integration_id: INTEGRATION_B,
  property_id: RED_ROCK.property.id,
  x_id: "6001",
  first_name: "Sam",
  last_name: "Okafor",
  email: "sam.okafor@canyon-ridge.example"
}

const PROPERTIES = [ASPEN_LOFTS, BOULDER_CREEK, RED_ROCK]
const catalogs = PROPERTIES.map(catalogOf)

/** The default world, in the shape of a seed. @internal */
export const defaultSeed = {
  integrations: INTEGRATIONS,
  properties: PROPERTIES.map((p) => p.property),
  applicants: [JANE_DOE, CARLOS_RIVERA, PRIYA_SHAH, TOM_BECKER],
  applications: [JANE_DOE_APPLICATION, CARLOS_RIVERA_APPLICATION, PRIYA_SHAH_APPLICATION, TOM_BECKER_APPLICATION],
  employees: [MORGAN_REYES, AVERY_CHEN, SAM_OKAFOR],
  units: [ASPEN_101, ASPEN_102, BOULDER_A201, RED_ROCK_12],
  event_types: catalogs.flatMap((c) => c.event_types),
  event_sub_types: catalogs.flatMap((c) => c.event_sub_types),
  event_results: catalogs.flatMap((c) => c.event_results)
}

/** The ids of an applicant, its application and unit, an employee at its property, and that property's catalog. */
const idsOf = (
  fixture: PropertyFixture,
  applicant: typeof JANE_DOE,
  application: typeof JANE_DOE_APPLICATION,
  unit: typeof ASPEN_101,
  employee: typeof MORGAN_REYES
) => ({
  integrationId: fixture.property.integration_id,
  propertyId: fixture.property.id,
  applicantId: applicant.id,
  applicantEmail: applicant.primary_email,
  applicationId: application.id,
  employeeId: employee.id,
  unitId: unit.id,
  eventTypeIds: fixture.ids.eventTypes
}) as const

/** Jane Doe at The Aspen Lofts, with her property's sub-types and results. @internal */
export const DEMO = {
  ...idsOf(ASPEN_LOFTS, JANE_DOE, JANE_DOE_APPLICATION, ASPEN_101, MORGAN_REYES),
  eventSubTypeIds: {
    leasingAppointments: ASPEN_LOFTS.ids.subTypes["453"],
    selfGuidedTour: ASPEN_LOFTS.ids.subTypes["560"],
    tour: ASPEN_LOFTS.ids.subTypes["454"],
    virtualTour: ASPEN_LOFTS.ids.subTypes["525"]
  },
  eventResultIds: ASPEN_LOFTS.ids.results
} as const

/** Tom Becker at Red Rock Villas, whose catalog has no `code`s. @internal */
export const OTHER = idsOf(RED_ROCK, TOM_BECKER, TOM_BECKER_APPLICATION, RED_ROCK_12, SAM_OKAFOR)
