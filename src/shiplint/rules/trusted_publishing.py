"""Rules: trusted_publishing (being written)."""

from __future__ import annotations
