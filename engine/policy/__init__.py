"""The policy team's tools: check, test, cover, compare, explain and publish the rulebook."""
