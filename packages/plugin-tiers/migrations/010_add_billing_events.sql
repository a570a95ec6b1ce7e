-- Payment-provider webhook events applied to tenant_subscriptions, one row per event id:
-- a replayed event finds its row and changes nothing.
CREATE TABLE billing_events (
  event_id text PRIMARY KEY,
  event_type text NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_events_org_idx ON billing_events (organization_id, received_at DESC);
