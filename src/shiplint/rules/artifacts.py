"""Artifacts between jobs: actions/upload-artifact and download-artifact (A-1..A-5)."""

from __future__ import annotations
