"""The limits joinup keeps to, each from durable_rules' C core (2.0.28) or from a measurement.

durable_rules keeps its Rete network and its working memory in fixed-size buffers and
checks some of them late or not at all: past a limit it may return a bare error code,
spin forever, or corrupt the heap and crash the process. Joinup stays inside them by
design (see engine/assess.py for how a rulebook is split, and the shared durable_rules
note for each measurement); what cannot be split is refused with a located error when
the rulebook loads, and so by `joinup rules check` too.
"""
from __future__ import annotations

# --- The C core's constants -------------------------------------------------------------

# events.c MAX_STACK_SIZE 64: handleAlpha walks the alpha network with a fixed stack of 64
# nodes. Every alpha path that matches one fact at once takes a slot (each rule, each `or`
# branch, each `in` choice); the 65th returns error 303 midway, and deleting that session
# then frees a half-built state (SIGABRT or SIGSEGV). Measured: 64 matching paths work,
# 65 crash. An alpha path is one term of the compiled condition's disjunctive normal form,
# so the sum of those counts over the rules asserted against one fact is a safe bound.
MAX_PATHS_PER_FACT = 64

# The same stack bounds one rule: its paths all run against the same fact.
MAX_PATHS_PER_RULE = MAX_PATHS_PER_FACT

# rete.h MAX_SEQUENCE_EXPRESSIONS 32: each rule keeps its `$and`/`$or` groups in a fixed
# array, two entries per group, and refuses the 32nd entry (error 113 at load). With the
# `$and` joinup wraps every condition in (the `kind` test), 15 groups in all: 14 of the
# rule's own. Measured: 14 nested groups load, 15 give error 113.
MAX_GROUPS_PER_RULE = 14

# rules.h NEXT_BUCKET_LENGTH 512: the tests that follow one alpha node live in an
# open-addressed table of 512 slots. findAlpha probes it without a bound, so the 513th
# distinct test spins forever at load, and a full table (512) spins forever on the first
# fact. Measured: 511 load and run, 512 hang on assert, 513 hang at load. A ruleset's
# root holds one `kind` test per fact group, so groups per ruleset stay well below.
MAX_TESTS_PER_NODE = 511

# rules.h NEXT_LIST_LENGTH 128 (error 107 at load past it) and BETA_LIST_LENGTH 256 (error
# 108): `is unknown` tests and `or` joins after one node, rules ending on one node. Both
# stay below MAX_PATHS_PER_FACT in a fact group, so the path bound covers them.
MAX_NEX_PER_NODE = 128
MAX_RULES_PER_NODE = 256

# rete.c MAX_ACTIONS 4096: rules (sink rules included) in one ruleset; error 106 past it.
MAX_ACTIONS_PER_RULESET = 4096

# state.h MAX_OBJECT_PROPERTIES 255: properties of one fact. Measured: 253 work (two slots
# go to the engine), 254 give error 302 on assert and leave a state that cannot be deleted
# (error 309). `kind`, `id` and `sid` take three of them.
MAX_FACT_PROPERTIES = 253

# --- Joinup's own, derived from the above -------------------------------------------------

# Fact groups per ruleset: a `kind` test and a sink rule each. With at most
# MAX_PATHS_PER_FACT rules per group, 60 groups keep a ruleset under MAX_ACTIONS_PER_RULESET
# (60 * 64 + 60 = 3,900) and its root far under MAX_TESTS_PER_NODE.
MAX_GROUPS_PER_RULESET = 60

# Names one fact group may carry besides `kind`, `id` and `sid`.
MAX_NAMES_PER_FACT = MAX_FACT_PROPERTIES - 3

# --- The condition language (engine/expressions.py) ----------------------------------------

# Nesting of a condition: brackets, `not`, `and`/`or`, arithmetic. Python's own recursion
# (about 1,000 frames) broke at about 500 in the checker and compiler; 32 is far more than
# a rule a person can read needs.
MAX_CONDITION_DEPTH = 32

# Clauses (comparisons, `is known`, `in`, true-or-false names) in one condition.
MAX_CONDITION_CLAUSES = 64

# Choices in one `in [...]`: each is an `or` branch, one path of MAX_PATHS_PER_RULE.
MAX_IN_CHOICES = 32

# Distinct names one condition reads: each is a property of the fact (MAX_FACT_PROPERTIES).
MAX_CONDITION_NAMES = 64

# Characters in one condition: bounds the parser's work before any check can run.
MAX_CONDITION_CHARS = 10_000
