"""Working out a part of a case's measures once for all its variants that share what it reads.

A variant of a case (a draw of its ranges, a point of a switching-value search) is a copy
that shares every object no input changed: engine.analysis.inputs copies only the objects
along the paths it changes. A part of the measures worked out from the very same objects
and the same numbers is the same part, so a Reuse keeps it for the next variant: a draw
that moves only going alone's figures measures the offer once, not once a draw.

The measures call every part through a Part: `each_time` works it out (a single decision),
a Reuse looks it up first. Either way the part is the same function of the same arguments.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Part = Callable[..., Any]  # part(work, *args) -> work(*args)

# Arguments that are values, compared by value: the same number is the same figure (and a
# tuple of values the same tuple). Anything else (a model of the case, a list, a dict) is
# compared by identity.
_VALUES = frozenset((int, bool, str, dt.date, type(None)))
# Parts kept: a variant's own parts are never asked for again, and give way to the parts
# every variant shares, which each variant asks for again. A line shares about ten, and
# least-recently-used keeping must hold all of a case's at once or it keeps none: fifty
# lines (the most a case may have) share some five hundred.
KEPT = 1024


def each_time(work: Callable[..., T], *args: Any) -> T:
    """Work the part out: what a single decision does."""
    return work(*args)


def _key(values: tuple[Any, ...]) -> tuple[Any, ...]:
    # A loop, not a call per argument: parts are looked up for every line of every draw.
    key = []
    for value in values:
        kind = type(value)
        if kind is float:
            key.append((float, value, math.copysign(1.0, value)))  # 0.0 and -0.0 are equal, and not the same figure
        elif kind in _VALUES:
            key.append((kind, value))  # so are 1 and True
        elif kind is tuple:
            key.append((tuple, _key(value)))
        else:
            key.append(id(value))
    return tuple(key)


class Reuse:
    """The parts of the measures of one case's variants, each kept with its arguments; the least recently used go first.

    Keeping the arguments keeps them alive, so no other object takes an identity that a key
    holds. Nothing in a case is changed in place (variants are copies), so an argument of
    the same identity still holds what it held when the part was worked out.
    """

    def __init__(self, kept: int = KEPT):
        self._parts: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._size = kept

    def __call__(self, work: Callable[..., T], *args: Any) -> T:
        key = (work, _key(args))
        found = self._parts.get(key)
        if found is not None:
            self._parts.move_to_end(key)
            return found[1]
        result = work(*args)
        self._parts[key] = (args, result)
        if len(self._parts) > self._size:
            self._parts.popitem(last=False)
        return result
