"""Rules: anaconda (being written)."""

from __future__ import annotations
