"""Package metadata PyPI rejects, and publishers too old for the metadata the backend emits (B-4, P-6..P-9, P-13)."""

from __future__ import annotations
