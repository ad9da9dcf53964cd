"""The briefing: a recommendation rendered to HTML and PDF with its evidence, briefing a
folder of cases, and verifying a briefing against its embedded evidence."""
