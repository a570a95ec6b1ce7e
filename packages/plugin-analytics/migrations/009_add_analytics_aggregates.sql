-- usage_events stays unpartitioned: converting a live table means rewriting it and creating
-- partitions ahead of every day; old raw rows are deleted by day through usage_events_usage_date_idx.

-- Daily roll-ups of usage_events, one row per (tenant, agent, day, metric); the analytics API
-- reads only these. NULLS NOT DISTINCT: tenant-level usage (no agent) has one row per day too.
CREATE TABLE analytics_daily_aggregates (
  tenant_id uuid NOT NULL,
  agent_id uuid,
  date date NOT NULL,
  metric_type text NOT NULL,
  count bigint NOT NULL CHECK (count >= 0),
  aggregated_at timestamptz NOT NULL DEFAULT now(),
  -- Leading (tenant_id, date): every analytics query is a range scan over one tenant's days.
  CONSTRAINT analytics_daily_aggregates_key UNIQUE NULLS NOT DISTINCT (tenant_id, date, metric_type, agent_id)
);

-- Where the aggregation job stands. scanned_through: usage_events recorded from then on may
-- change a closed day and are looked at by the next run. aggregated_through: the last complete day.
CREATE TABLE analytics_aggregation_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  scanned_through timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
  aggregated_through date
);
INSERT INTO analytics_aggregation_state DEFAULT VALUES;

-- One day's GROUP BY reads only that day; a run finds the days touched since the last one.
CREATE INDEX usage_events_usage_date_idx ON usage_events (usage_date);
CREATE INDEX usage_events_recorded_at_idx ON usage_events (recorded_at);
