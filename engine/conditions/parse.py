"""The condition language: grammar, and the small typed tree each condition parses to.

    go_alone.cost_per_seat >= offer.cost_per_seat * (1 + param.margin) and not urgent

Precedence, loosest first: `or`, `and`, `not`, comparisons (`< <= > >= == !=`,
`is known`, `is unknown`, `in [...]`), `+ -`, `* /`, unary minus. Numbers may carry a
percent sign (`10%` is 0.1). Text is quoted. Parsing builds the tree; `typecheck`
checks it against the names; `compile` turns it into durable_rules' condition JSON.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import lark

from .. import limits
from ..errors import RuleError

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr "or" and_expr -> or_
?and_expr: not_expr | and_expr "and" not_expr -> and_
?not_expr: "not" not_expr -> not_ | comparison
?comparison: sum
    | sum COMP sum -> compare
    | sum "is" "known" -> known
    | sum "is" "unknown" -> unknown
    | sum "in" "[" literal ("," literal)* "]" -> in_
?sum: product | sum ADDOP product -> arith
?product: unary | product MULOP unary -> arith
?unary: atom | "-" unary -> neg
?atom: literal | NAME -> name | "(" or_expr ")"
?literal: NUMBER -> number | PERCENT -> percent | STRING -> string | "true" -> true | "false" -> false
COMP: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADDOP: "+" | "-"
MULOP: "*" | "/"
PERCENT.2: /[0-9][0-9_]*(\.[0-9]+)?%/
NUMBER: /[0-9][0-9_]*(\.[0-9]+)?/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
NAME: /[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*/
%ignore /[ \t\r\n]+/
"""

_PARSER = lark.Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@dataclass(frozen=True)
class Pos:
    """Where a node starts in the condition text (1-based)."""

    line: int
    column: int


@dataclass(frozen=True)
class Literal:
    value: float | str | bool
    pos: Pos
    percent: bool = False


@dataclass(frozen=True)
class Ref:
    path: str
    pos: Pos


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: "Node"
    right: "Node"
    pos: Pos


@dataclass(frozen=True)
class Neg:
    operand: "Node"
    pos: Pos


@dataclass(frozen=True)
class Compare:
    op: str  # < <= > >= == !=
    left: "Node"
    right: "Node"
    pos: Pos


@dataclass(frozen=True)
class Known:
    operand: "Node"
    known: bool
    pos: Pos


@dataclass(frozen=True)
class In:
    operand: "Node"
    choices: tuple[Literal, ...]
    pos: Pos


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...]
    pos: Pos


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]
    pos: Pos


@dataclass(frozen=True)
class Not:
    operand: "Node"
    pos: Pos


Node = Union[Literal, Ref, Arith, Neg, Compare, Known, In, And, Or, Not]


def _pos(meta_or_token: lark.tree.Meta | lark.Token) -> Pos:
    return Pos(getattr(meta_or_token, "line", 1) or 1, getattr(meta_or_token, "column", 1) or 1)


def _finite(value: float, tok: lark.Token) -> float:
    # float() turns 400 digits into infinity, which no comparison or rules engine can use.
    if value == float("inf"):
        raise RuleError(f"the number {str(tok)[:20]}... is too large", line=tok.line, column=tok.column)
    return value


class _Build(lark.Transformer_NonRecursive):
    """Each grammar rule builds one node; without recursion, so no nesting can overflow Python's stack."""

    def number(self, items):
        (tok,) = items
        return Literal(_finite(float(tok.replace("_", "")), tok), _pos(tok))

    def percent(self, items):
        (tok,) = items
        return Literal(_finite(float(tok[:-1].replace("_", "")), tok) / 100, _pos(tok), percent=True)

    def string(self, items):
        (tok,) = items
        return Literal(str(tok)[1:-1], _pos(tok))

    @lark.v_args(meta=True)
    def true(self, meta, items):
        return Literal(True, _pos(meta))

    @lark.v_args(meta=True)
    def false(self, meta, items):
        return Literal(False, _pos(meta))

    def name(self, items):
        (tok,) = items
        return Ref(str(tok), _pos(tok))

    @lark.v_args(meta=True)
    def arith(self, meta, items):
        left, op, right = items
        return Arith(str(op), left, right, _pos(meta))

    @lark.v_args(meta=True)
    def neg(self, meta, items):
        (operand,) = items
        if isinstance(operand, Literal) and isinstance(operand.value, float):
            return Literal(-operand.value, _pos(meta), operand.percent)
        return Neg(operand, _pos(meta))

    @lark.v_args(meta=True)
    def compare(self, meta, items):
        left, op, right = items
        return Compare(str(op), left, right, _pos(meta))

    @lark.v_args(meta=True)
    def known(self, meta, items):
        return Known(items[0], True, _pos(meta))

    @lark.v_args(meta=True)
    def unknown(self, meta, items):
        return Known(items[0], False, _pos(meta))

    @lark.v_args(meta=True)
    def in_(self, meta, items):
        return In(items[0], tuple(items[1:]), _pos(meta))

    @lark.v_args(meta=True)
    def and_(self, meta, items):
        flat = []
        for item in items:
            flat.extend(item.items if isinstance(item, And) else [item])
        return And(tuple(flat), _pos(meta))

    @lark.v_args(meta=True)
    def or_(self, meta, items):
        flat = []
        for item in items:
            flat.extend(item.items if isinstance(item, Or) else [item])
        return Or(tuple(flat), _pos(meta))

    @lark.v_args(meta=True)
    def not_(self, meta, items):
        return Not(items[0], _pos(meta))


_EXPECTED_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "PERCENT": "a percentage",
    "STRING": "quoted text",
    "COMP": "a comparison",
    "LPAR": "'('",
    "RPAR": "')'",
    "RSQB": "']'",
    "MINUS": "'-'",
    "TRUE": "true",
    "FALSE": "false",
    "AND": "'and'",
    "OR": "'or'",
}


def parse(text: str) -> Node:
    """Parse a condition; a syntax error or a condition past a limit is a RuleError with the line and column in `text`."""
    if len(text) > limits.MAX_CONDITION_CHARS:
        raise RuleError(
            f"the condition is {len(text):,} characters long, more than joinup's limit of {limits.MAX_CONDITION_CHARS:,}",
            line=1, column=1, hint="split it into rules that conclude findings",
        )
    try:
        tree = _PARSER.parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        line, column = exc.line, exc.column
        if isinstance(exc, lark.exceptions.UnexpectedToken) and exc.token.type == "$END":
            message = "the condition ends too early"
            lines = text.rstrip().splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        elif isinstance(exc, lark.exceptions.UnexpectedToken):
            message = f"unexpected '{exc.token}'"
        else:
            char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "end"
            message = f"unexpected '{char}'"
        expected = sorted(
            {_EXPECTED_WORDS.get(e, None) or f"'{e.lower()}'" for e in getattr(exc, "expected", ()) or ()}
            - {"'$end'"}
        )
        hint = f"expected {', '.join(expected[:5])}" if expected else None
        raise RuleError(message, line=max(line, 1), column=max(column, 1), hint=hint) from None
    try:
        node = _Build().transform(tree)
    except lark.exceptions.VisitError as exc:  # lark wraps what a rule raises
        if isinstance(exc.orig_exc, RuleError):
            raise exc.orig_exc from None
        raise
    check_limits(node)
    return node


def _children(n: Node) -> tuple[Node, ...]:
    if isinstance(n, (Arith, Compare)):
        return (n.left, n.right)
    if isinstance(n, (Neg, Known, In, Not)):
        return (n.operand,)
    if isinstance(n, (And, Or)):
        return n.items
    return ()


def check_limits(node: Node) -> None:
    """Refuse a condition past joinup's limits (engine/limits.py), at the first place it goes past.

    Iterative, so it runs safely on any tree the parser builds; every later pass (type
    check, compile, satisfiability) recurses, and may, once this has passed.
    """
    clauses = 0
    names: set[str] = set()
    stack: list[tuple[Node, int, bool]] = [(node, 1, True)]  # node, depth, in a true-or-false place
    while stack:
        n, depth, boolean = stack.pop()
        if depth > limits.MAX_CONDITION_DEPTH:
            raise RuleError(
                f"the condition nests deeper than joinup's limit of {limits.MAX_CONDITION_DEPTH} levels",
                line=n.pos.line, column=n.pos.column,
                hint="split it into rules that conclude findings, and use the findings here",
            )
        if isinstance(n, (Compare, Known, In)) or (boolean and isinstance(n, (Ref, Literal))):
            clauses += 1
        if clauses > limits.MAX_CONDITION_CLAUSES:
            raise RuleError(
                f"the condition has more than joinup's limit of {limits.MAX_CONDITION_CLAUSES} clauses",
                line=n.pos.line, column=n.pos.column,
                hint="split it into rules that conclude findings, and use the findings here",
            )
        if isinstance(n, In) and len(n.choices) > limits.MAX_IN_CHOICES:
            extra = n.choices[limits.MAX_IN_CHOICES]
            raise RuleError(
                f"'in' lists {len(n.choices)} choices, more than joinup's limit of {limits.MAX_IN_CHOICES}",
                line=extra.pos.line, column=extra.pos.column,
                hint="each choice is a branch the rules engine must hold at once; split the list across rules",
            )
        if isinstance(n, Ref) and n.path not in names:
            names.add(n.path)
            if len(names) > limits.MAX_CONDITION_NAMES:
                raise RuleError(
                    f"the condition reads more than joinup's limit of {limits.MAX_CONDITION_NAMES} names",
                    line=n.pos.line, column=n.pos.column,
                    hint="split it into rules that conclude findings, and use the findings here",
                )
        logical = isinstance(n, (And, Or, Not))
        stack.extend((child, depth + 1, logical) for child in reversed(_children(n)))


def refs(node: Node) -> list[Ref]:
    """Every name the condition uses, in order of appearance."""
    found: list[Ref] = []

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            found.append(n)
        elif isinstance(n, (Arith, Compare)):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, (Neg, Known, In, Not)):
            walk(n.operand)
        elif isinstance(n, (And, Or)):
            for item in n.items:
                walk(item)

    walk(node)
    return found
