"""``shiplint map``: the release inventory — what is published where, how and when."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from shiplint.model.inventory import inventory

if TYPE_CHECKING:
    from shiplint.project import Project


def render_json(projects: list[Project]) -> str:
    return json.dumps({"version": 1, "roots": [inventory(p) for p in projects]}, indent=2) + "\n"


def _gitlab_lines(job: dict[str, Any]) -> list[str]:
    where = job["defined_in"]
    if where != job["pipeline"]:
        where += f", included by {job['pipeline']}"
    lines = [f"      job: {job['name']} (GitLab CI, {where})"]
    if job["id_tokens"]:
        lines.append(f"      id tokens: {', '.join(job['id_tokens'])}")
    if job["trusted_publisher_file"]:
        lines.append(f"      trusted publisher on PyPI: pipeline file {job['pipeline']}")
    if job["unreadable_includes"]:
        lines.append(
            "      pipeline includes files shiplint cannot read: "
            + ", ".join(job["unreadable_includes"])
        )
    return lines


def render_text(projects: list[Project]) -> str:
    out: list[str] = []
    for project in projects:
        inv = inventory(project)
        out.append(f"{inv['root']}")
        out.append(f"  uploads ({len(inv['uploads'])}):")
        if not inv["uploads"]:
            out.append("    (none found)")
        for up in inv["uploads"]:
            version = f" {up['version']}" if up["version"] else ""
            out.append(f"    {up['location']}")
            out.append(f"      {up['tool']}{version} → {up['target']}")
            for cred in up["credentials"] or ["no credential passed"]:
                out.append(f"      auth: {cred}")
            if "job" in up:
                runner = ", ".join(up["runner"]) or "?"
                out.append(
                    f"      job: {up['job']} on {runner}"
                    + (f", environment {up['environment']}" if up["environment"] else "")
                )
                out.append(
                    f"      when: {', '.join(up['triggers']) or '?'}"
                    + "".join(f"; if {c}" for c in up["conditions"])
                )
            elif "gitlab_job" in up:
                out.extend(_gitlab_lines(up["gitlab_job"]))
            elif up.get("label"):
                out.append(f"      in: {up['origin']} {up['label']}")
        out.append(f"  indexes consumed ({len(inv['indexes'])}):")
        if not inv["indexes"]:
            out.append("    (none found)")
        for ix in inv["indexes"]:
            out.append(f"    {ix['location']}  {ix['url']}  ({ix['how']})")
        out.append("")
    return "\n".join(out)
