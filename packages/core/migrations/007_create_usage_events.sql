-- One row per flush of the in-memory counter: (tenant, agent, metric, UTC day) += count.
CREATE TABLE usage_events (
  id bigserial PRIMARY KEY,
  organization_id uuid NOT NULL,
  agent_id uuid,
  metric text NOT NULL,
  usage_date date NOT NULL,
  count integer NOT NULL CHECK (count > 0),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_events_org_date_idx ON usage_events (organization_id, usage_date, metric);
