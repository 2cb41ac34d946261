"""Agents: the people (CCM "users") an agent-to-customer call rings first."""
