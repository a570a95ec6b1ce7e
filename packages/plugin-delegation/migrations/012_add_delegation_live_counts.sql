-- An upper bound on each delegator's live links, so that issuance checks the cap without
-- counting the delegator's links every time: it grows with every issuance and is set back
-- to the exact count only when it reaches the cap. Issuance locks the row, so one
-- delegator's issuances are serialised and the cap also holds under concurrency.
CREATE TABLE delegation_live_counts (
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  delegator_agent_id uuid NOT NULL REFERENCES agents (agent_id) ON DELETE CASCADE,
  upper_bound bigint NOT NULL,
  PRIMARY KEY (organization_id, delegator_agent_id)
);
INSERT INTO delegation_live_counts (organization_id, delegator_agent_id, upper_bound)
SELECT organization_id, delegator_agent_id, count(*) FROM delegation_chains
WHERE revoked_at IS NULL AND credential_revoked_at IS NULL
GROUP BY organization_id, delegator_agent_id;
