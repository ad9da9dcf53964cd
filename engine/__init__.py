"""joinup: a rules-based "join or go alone" decision engine for public-sector IT."""
from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("joinup")
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
