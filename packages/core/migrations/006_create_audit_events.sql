CREATE TABLE audit_chain_heads (
  organization_id uuid PRIMARY KEY REFERENCES organizations (organization_id) ON DELETE CASCADE,
  last_sequence bigint NOT NULL,
  last_hash text NOT NULL
);
CREATE TABLE audit_events (
  event_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  sequence bigint NOT NULL,
  agent_id uuid,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
  details jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  previous_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (organization_id, sequence)
);
CREATE INDEX audit_events_org_time_idx ON audit_events (organization_id, occurred_at DESC, sequence DESC);
