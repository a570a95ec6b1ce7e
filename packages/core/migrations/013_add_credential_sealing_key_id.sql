-- Which sealing key sealed a credential's signing key (a fingerprint, never the key): lets each
-- instance find what an older key sealed after a rotation. NULL: sealed before this column.
ALTER TABLE credentials ADD COLUMN sealing_key_id text;
