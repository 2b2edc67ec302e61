"""tox environments, upload scripts, nightly schedules and release triggers (C-1, C-2, S-2, E-10, T-7)."""

from __future__ import annotations
