"""What to firm up first: the expected value of partial perfect information (EVPPI), in pounds.

For each uncertain input (or group that moves together) and each service line, the value
for money of going alone over joining net of the margin the presumption asks it to clear
(the measures' `go_alone_advantage` less `margin_to_clear`, in each draw: the rulebook's
decision sits at that margin, not at nought) is regressed on the input's draws: a cubic
polynomial in the input, by least squares (Strong, Oakley and Brennan 2014 use a GAM; a
low-order polynomial is the GAM-free version, and needs no decisions beyond the draws
already made). The fitted value is what the net advantage would be expected to be if the
input were known. Then

    EVPPI = mean(max(fitted, 0)) - max(mean(fitted), 0)

for each line whose verdict the draws can change (the case's value is their sum): what
knowing the input would add, on average, to the value of choosing the better option. An
input that does not move any line's advantage (no range, or read by nothing the advantage
depends on) has zero value by construction: it is checked directly at its two ends before
any regression, so the regression's noise cannot give it a value.
"""
from __future__ import annotations

import numpy as np

# A cubic follows the bends a threshold or a tier puts in the advantage without chasing noise.
DEGREE = 3


def fitted(x: np.ndarray, y: np.ndarray, degree: int = DEGREE) -> np.ndarray:
    """Least-squares polynomial of y on x, evaluated at x (x standardised so the fit is well conditioned)."""
    spread = x.std()
    if spread == 0:
        return np.full_like(y, y.mean())
    z = (x - x.mean()) / spread
    basis = np.vander(z, degree + 1)
    coefficients, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return basis @ coefficients


def evppi(x: np.ndarray, net: np.ndarray, open_lines: list[bool]) -> list[float]:
    """EVPPI in pounds of knowing x, per line, over each line's draws of its net advantage (columns of `net`).

    A line is open if its verdict differs between draws: where the rulebook gives the same
    verdict whatever the ranges hold (a hard constraint decides it), knowing a figure better
    cannot change the decision, and is worth nothing to it.
    """
    out = []
    for column, open_ in zip(net.T, open_lines):
        g = fitted(x, column) if open_ else None
        out.append(0.0 if g is None else max(0.0, float(np.maximum(g, 0).mean() - max(g.mean(), 0.0))))
    return out
