CREATE TABLE credentials (
  credential_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  agent_id uuid NOT NULL REFERENCES agents (agent_id) ON DELETE CASCADE,
  secret_digest bytea NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  signing_key_id text NOT NULL,
  signing_public_key text NOT NULL,
  signing_private_key_sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX credentials_agent_idx ON credentials (agent_id, created_at DESC);
