-- One row per delegation link. The graph lives here: the ancestor path (root first, parent
-- last) makes "everything downstream of X" one indexed query, for revocation and blast radius.
CREATE TABLE delegation_chains (
  chain_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  root_chain_id uuid NOT NULL,
  parent_chain_id uuid REFERENCES delegation_chains (chain_id) ON DELETE CASCADE,
  ancestor_path uuid[] NOT NULL,
  delegator_agent_id uuid NOT NULL REFERENCES agents (agent_id) ON DELETE CASCADE,
  delegatee_agent_id uuid NOT NULL REFERENCES agents (agent_id) ON DELETE CASCADE,
  scopes text[] NOT NULL,
  depth integer NOT NULL CHECK (depth >= 1),
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  -- Set when the credential that signed the link is rotated or revoked.
  credential_revoked_at timestamptz,
  signing_credential_id uuid NOT NULL,
  signing_key_id text NOT NULL,
  payload_hash text NOT NULL,
  signature text NOT NULL
);
CREATE INDEX delegation_chains_ancestors_idx ON delegation_chains USING gin (ancestor_path);
CREATE INDEX delegation_chains_live_delegator_idx ON delegation_chains (organization_id, delegator_agent_id) WHERE revoked_at IS NULL;
CREATE INDEX delegation_chains_pair_idx ON delegation_chains (delegator_agent_id, delegatee_agent_id) WHERE revoked_at IS NULL;
CREATE INDEX delegation_chains_credential_idx ON delegation_chains (signing_credential_id);
