CREATE TABLE agents (
  agent_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  email text NOT NULL,
  agent_type text NOT NULL,
  version text NOT NULL,
  capabilities text[] NOT NULL,
  owner text NOT NULL,
  deployment_env text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Email is unique platform-wide, as in Phases 1–4 (a duplicate answers 409).
CREATE UNIQUE INDEX agents_email_key ON agents (lower(email));
CREATE INDEX agents_organization_created_idx ON agents (organization_id, created_at DESC, agent_id);
