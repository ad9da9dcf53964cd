"""Rule conditions: parse the text, check names and units, compile for the rules engine,
evaluate, reason about satisfiability and write them in plain English."""
