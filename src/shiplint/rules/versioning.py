"""Versions: VCS-derived versions built from shallow clones or uploaded with local labels, static versions re-uploaded (P-4, P-5, P-10)."""

from __future__ import annotations
