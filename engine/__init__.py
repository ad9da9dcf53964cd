"""joinup: a rules-based "join or go alone" decision engine for public-sector IT."""
from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here (hatch), and
# reading it here costs nothing at start-up, where importlib.metadata costs about 50 ms.
__version__ = "0.1.0"
