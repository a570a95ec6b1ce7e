-- What an A2A agent card is built from (WS6). All optional: agents registered before keep working.
ALTER TABLE agents
  ADD COLUMN description text,
  ADD COLUMN a2a_endpoint_url text,
  ADD COLUMN skills jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN input_modes text[] NOT NULL DEFAULT '{}',
  ADD COLUMN output_modes text[] NOT NULL DEFAULT '{}',
  ADD COLUMN is_public boolean NOT NULL DEFAULT false;
