"""What the tox plugin decides for one tox environment: does it upload, are its credentials
passed, does the release configuration pass the audit.

Works on plain values taken from tox's resolved configuration (see
:mod:`shiplint.integrations.tox_plugin`, the only module that touches tox), so that it
imports no tox.
The audit engine is imported only when an environment uploads (or forces the guard).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shiplint.model import Arg, Context, Loc, ReleaseModel, ShellCommand
from shiplint.pkg.tool_credentials import (
    PassedEnv,
    config_style,
    credentials_problem,
    missing_credentials,
)
from shiplint.pkg.upload_commands import option_value, recognise
from shiplint.source import SourceFile

if TYPE_CHECKING:
    from collections.abc import Sequence

    from shiplint.model import Upload
    from shiplint.pkg.tool_credentials import ToolAuth


@dataclass
class EnvFacts:
    """One tox environment as tox resolved it."""

    name: str
    root: Path  # tox_root: the project audited
    config_file: Path | None
    commands: list[list[str]]  # commands_pre, commands, commands_post (argv lists)
    pass_env: list[str] = field(default_factory=list)
    set_env: list[str] = field(default_factory=list)  # names only
    disallow_pass_env: list[str] = field(default_factory=list)
    home: str | None = None  # HOME as the commands see it (for ~/.pypirc)


@dataclass
class Verdict:
    """``failure``: the message to stop the env with (None: let it run); ``notes``: findings
    below the fail level, worth showing anyway."""

    failure: str | None = None
    notes: str | None = None


def uploads_in(env_name: str, commands: Sequence[Sequence[str]]) -> list[Upload]:
    """The uploads shiplint's own recogniser finds in resolved command lines."""
    text = "\n".join(" ".join(argv) for argv in commands)
    # The command lines may hold resolved secrets: this text is never shown.
    src = SourceFile(Path("tox"), f"tox env {env_name}", "", "tox-ini", text)
    model = ReleaseModel(root="", files=[])
    context = Context(origin="tox", label=env_name)
    offset = 0
    for argv in commands:
        args: list[Arg] = []
        for word in argv:
            args.append(Arg(text=word, raw=word, loc=Loc(src, offset, offset + len(word))))
            offset += len(word) + 1
        if args:
            recognise(model, ShellCommand(args=args, source=src, context=context))
        offset += 0 if argv else 1
    return model.uploads


def judge(env: EnvFacts, forced: bool = False) -> Verdict | None:
    """None when the env does not upload and the guard is not forced on: nothing is checked."""
    uploads = uploads_in(env.name, env.commands)
    if not uploads and not forced:
        return None
    style = _config_style(env.config_file)
    problems = [
        credentials_problem(env.name, style, u, auth) for u, auth in _credential_gaps(env, uploads)
    ]
    report, notes = _audit(env.root)
    if report is None and not problems:
        return Verdict(notes=notes)
    parts = [f"shiplint stopped tox env `{env.name}` before its commands ran."]
    if report is not None:
        parts.append(report.rstrip("\n"))
    parts.extend(problems)
    parts.append(
        "Fix the problems above (`shiplint check` shows the release findings again). "
        "To skip this check for one run: `tox --no-shiplint ...`; to turn it off for the "
        "env: `shiplint = false` in its section."
    )
    return Verdict(failure="\n\n".join(parts))


def _credential_gaps(env: EnvFacts, uploads: list[Upload]) -> list[tuple[Upload, ToolAuth]]:
    passed = PassedEnv(env.pass_env, env.set_env, env.disallow_pass_env)
    pypirc = bool(env.home) and Path(env.home or "", ".pypirc").is_file()
    gaps: list[tuple[Upload, ToolAuth]] = []
    seen: set[str] = set()
    for upload in uploads:
        options = {name: option_value(arg) for name, arg in upload.options.items()}
        auth = missing_credentials(upload.tool, options, upload.index, passed, pypirc)
        if auth is not None and upload.tool not in seen:
            seen.add(upload.tool)
            gaps.append((upload, auth))
    return gaps


def _config_style(config_file: Path | None) -> tuple[str, str, str]:
    """(snippet style, TOML table prefix, file name) for the tox configuration file tox
    resolved (read here: the guard runs inside tox, outside any audit)."""
    if config_file is None:
        return config_style(None, None)
    text = None
    if config_file.name == "pyproject.toml":
        try:
            text = config_file.read_text(encoding="utf-8")
        except OSError:
            text = None
    return config_style(config_file.name, text)


def _audit(root: Path) -> tuple[str | None, str | None]:
    """``shiplint check`` of the tox root: (report when it fails, report when it only notes)."""
    from shiplint.config import ConfigError
    from shiplint.engine import Options, audit_root
    from shiplint.report import text

    try:
        rel = os.path.relpath(root)
    except ValueError:  # another drive (Windows)
        rel = str(root)
    try:
        result = audit_root(rel, Options())
    except ConfigError as exc:
        return f"shiplint: configuration error: {exc}", None
    if not result.findings:
        return None, None
    report = text.render([result])
    if any(f.severity.rank >= result.fail_on.rank for f in result.findings):
        return report, None
    return None, report
