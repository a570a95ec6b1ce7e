import { Type, type Static } from 'typebox'
import { ListEnvelope, PageQuery, Timestamp, Uuid } from './common.js'

export const AuditEvent = Type.Object({
  eventId: Uuid,
  organizationId: Uuid,
  agentId: Type.Union([Uuid, Type.Null()]),
  action: Type.String({ examples: ['agent.created'] }),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  timestamp: Timestamp,
  details: Type.Record(Type.String(), Type.Unknown()),
  sequence: Type.Integer(),
  hash: Type.String()
}, { $id: 'AuditEvent' })
export type AuditEvent = Static<typeof AuditEvent>

export const AuditQuery = Type.Object({
  ...PageQuery.properties,
  action: Type.Optional(Type.String({ maxLength: 64 })),
  agentId: Type.Optional(Uuid),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' }))
}, { additionalProperties: false })
export type AuditQuery = Static<typeof AuditQuery>

export const AuditList = ListEnvelope(AuditEvent, 'AuditEventList')

export const AuditVerification = Type.Object({
  valid: Type.Boolean(),
  eventsChecked: Type.Integer(),
  firstInvalidEventId: Type.Union([Uuid, Type.Null()]),
  headHash: Type.Union([Type.String(), Type.Null()])
}, { $id: 'AuditVerification' })
export type AuditVerification = Static<typeof AuditVerification>
