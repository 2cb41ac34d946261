"""What phones on the simulated network do: magic test numbers, scenario rules, the default profile."""
