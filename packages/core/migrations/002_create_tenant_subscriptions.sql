CREATE TABLE tenant_subscriptions (
  organization_id uuid PRIMARY KEY REFERENCES organizations (organization_id) ON DELETE CASCADE,
  tier text NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'pro', 'enterprise')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'past_due', 'canceled')),
  current_period_start timestamptz NOT NULL DEFAULT now(),
  current_period_end timestamptz,
  external_customer_id text,
  external_subscription_id text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
