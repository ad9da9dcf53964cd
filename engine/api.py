"""The Python API: the pipeline end to end. The CLI, the tests and any server call this."""
from __future__ import annotations

from pathlib import Path

from . import __version__
from .assess import Assessor
from .decide import decide
from .errors import CaseFileError, ParameterError
from .load import LoadedCase, load_case
from .measures import Measures, measure
from .recommendation import Provenance, Recommendation
from .resources import default_rules_dir
from .rulebook import Rulebook, load_rulebook


class Decider:
    """A loaded rulebook compiled into the rules engine, ready to decide many cases."""

    def __init__(self, rules: Path | str | Rulebook | None = None):
        self.rulebook = rules if isinstance(rules, Rulebook) else load_rulebook(rules or default_rules_dir())
        self.assessor = Assessor(self.rulebook)

    def measure(self, loaded: LoadedCase) -> Measures:
        """The figures for a case, with the parameters in force on its decision date."""
        try:
            params = self.rulebook.parameters.in_force(loaded.case.decision_date)
        except ParameterError as err:
            # The rulebook is fine; a decision date before its first values is the case file's slip.
            raise CaseFileError(
                f"is before the rulebook's parameters take effect: {err.field} {err.message}",
                file=loaded.path,
                line=loaded.line_of(("decision_date",)),
                field="decision_date",
                hint="check the year",
            ) from None
        measures = measure(loaded.case, params)
        _check_bias_floors(loaded, measures)
        return measures

    def decide(self, loaded: LoadedCase) -> Recommendation:
        """Measure, assess and decide one loaded case."""
        case = loaded.case
        measures = self.measure(loaded)
        findings = self.assessor.assess(case, measures)
        provenance = Provenance(
            case_file=loaded.name,
            case_sha256=loaded.sha256,
            rulebook=self.rulebook.directory.name,
            rulebook_sha256=self.rulebook.sha256,
            joinup_version=__version__,
            decision_date=case.decision_date,
        )
        return decide(case, measures, findings, self.rulebook, provenance)

    def decide_file(self, path: Path | str) -> Recommendation:
        """Load and decide one case file."""
        return self.decide(load_case(path))


def _check_bias_floors(loaded: LoadedCase, measures: Measures) -> None:
    """A case's own uplift may go below its class's lower bound only as far as its costed risk register
    prices the difference (Green Book 2018 para 5.44), and never on time: one located error otherwise."""
    for i, line in enumerate(measures.lines):
        for side in ("go_alone", "offer"):
            bias = getattr(line, side).bias
            short = "duration" in bias.below_class_floor or bias.floor_shortfall > bias.risk_register + 0.005
            if bias.below_class_floor and short:
                loc = ("service_lines", i, side, "optimism_bias")
                raise CaseFileError(
                    f"sets {', '.join(bias.below_class_floor)} below the reference class's lower bound, taking "
                    f"£{bias.floor_shortfall:,.0f} off the cost that its costed risk register (£{bias.risk_register:,.0f}) "
                    "does not cover",
                    file=loaded.path,
                    line=loaded.line_of(loc),
                    field=f"service_lines[{i}].{side}.optimism_bias",
                    hint=(
                        "raise the uplift to at least the lower bound, or list the specific risks in risk_register "
                        "(Green Book 2018 para 5.44: the uplift is reduced as specific risks are costed); time has "
                        "no register, so its uplift cannot go below the bound"
                    ),
                )


def decide_file(path: Path | str, rules: Path | str | None = None) -> Recommendation:
    """Decide one case file under a rulebook (the shipped one by default)."""
    return Decider(rules).decide_file(path)
