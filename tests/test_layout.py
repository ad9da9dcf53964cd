"""The package's folders are its table of contents, and imports run forward along the pipeline."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"

# The pipeline, first stage first. A module may import from its own stage or an earlier one,
# never a later one: data flows forward. A new module must be placed here (the last test says so).
STAGES: list[set[str]] = [
    {"__init__", "errors", "units", "quantities", "estimates", "figures", "write", "quiet", "resources", "documents", "limits", "isolated", "reuse"},
    {"case", "load", "parameters", "schema"},
    {"measures"},
    {"conditions"},
    {"rulebook"},
    {"assess"},
    {"recommendation", "wording", "decide"},
    {"api"},
    {"summary", "briefing", "policy", "analysis"},
    {"cli"},
]
STAGE_OF = {unit: number for number, units in enumerate(STAGES) for unit in units}


def _unit(path: Path) -> str:
    """The pipeline unit a module belongs to: its top-level module or subpackage under engine/."""
    return path.relative_to(ENGINE).parts[0].removesuffix(".py")


def _imported_units(source: str, package: tuple[str, ...]) -> set[str]:
    """Every engine unit a module imports, at module level or inside a function.

    `package` is where the module sits under engine/: () for engine/, ("policy",) for engine/policy/.
    """
    units: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                target = base + (node.module.split(".") if node.module else [])
                if not target:  # `from . import x` at the top: x is itself a unit
                    units.update(alias.name for alias in node.names)
                else:
                    units.add(target[0])
            elif node.module and node.module.split(".")[0] == "engine":
                parts = node.module.split(".")[1:]
                units.update([parts[0]] if parts else [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "engine" and len(parts) > 1:
                    units.add(parts[1])
    return units


MODULES = sorted(ENGINE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_module_when_importing_never_reaches_a_later_stage(path: Path) -> None:
    """A module imports only from its own pipeline stage or an earlier one."""
    here = STAGE_OF[_unit(path)]
    imported = _imported_units(path.read_text(encoding="utf-8"), path.relative_to(ENGINE).parent.parts)
    later = sorted(unit for unit in imported if STAGE_OF.get(unit, -1) > here)
    assert not later, f"{path.relative_to(ENGINE)} (stage {here}) imports from later stages: {later}"


def test_layout_when_a_module_is_added_places_it_in_a_stage() -> None:
    """Every module and subpackage of engine/ has a stage, so the order above stays the whole map."""
    units = {_unit(path) for path in MODULES}
    assert units <= set(STAGE_OF), f"place these in STAGES: {sorted(units - set(STAGE_OF))}"


def test_imported_units_when_a_function_imports_up_from_a_subpackage_sees_it() -> None:
    """The checker sees an import inside a function, relative, from a subpackage to a later stage."""
    source = "from .parse import Node\n\ndef f():\n    from ..api import Decider\n"
    assert _imported_units(source, ("conditions",)) == {"conditions", "api"}
