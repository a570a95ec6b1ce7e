-- Durable record of RFC 7009 revocations; the shared store holds the hot copy.
CREATE TABLE revoked_tokens (
  jti uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);
