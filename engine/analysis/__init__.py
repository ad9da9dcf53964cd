"""How sure is the advice (issue 11): switching values, confidence from the ranges, what to firm up first.

Every verdict here comes from the real rulebook through the same measure, assess and
line_verdict as `decide`; nothing re-implements a rule. One module per job: which inputs
can move a verdict (inputs), deciding many variants of a case fast (verdicts), switching
values (switching), drawing the ranges (draws), shares of draws per verdict (confidence),
the value of information (information), and the report models (report, analyse).
"""
