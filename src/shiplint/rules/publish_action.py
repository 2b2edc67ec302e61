"""Rules: publish_action (being written)."""

from __future__ import annotations
