"""SL407 secret-in-run: an upload token interpolated into an upload client's
command line in ``run:``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.pkg.upload_commands import ANACONDA_CLI, program_of
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.secrets.common import ALWAYS_AVAILABLE, SecretRef, secret_refs

if TYPE_CHECKING:
    from shiplint.model import ShellCommand
    from shiplint.project import Project


# --- SL407 -------------------------------------------------------------------------------------


#: the variables each upload client reads its credentials from (user name, token)
_CLIENT_ENV = {
    "anaconda": ("ANACONDA_API_TOKEN",),
    "twine": ("TWINE_USERNAME", "TWINE_PASSWORD"),
    "uv": ("UV_PUBLISH_USERNAME", "UV_PUBLISH_TOKEN"),
    "flit": ("FLIT_USERNAME", "FLIT_PASSWORD"),
    "hatch": ("HATCH_INDEX_USER", "HATCH_INDEX_AUTH"),
    "poetry": ("POETRY_PYPI_TOKEN_PYPI",),
    "pdm": ("PDM_PUBLISH_USERNAME", "PDM_PUBLISH_PASSWORD"),
    "maturin": ("MATURIN_USERNAME", "MATURIN_PYPI_TOKEN"),
}


@register
class SecretInRun(Rule):
    """A secret is pasted into the command line of an upload client in a `run:` script.

    GitHub substitutes `${{ secrets.X }}` into the script text before the shell runs it:
    the token is written into the script file the runner executes, the shell parses it (a
    quote, `$` or backquote in the value changes the command), and it becomes an argument
    of the upload tool, where other processes (`ps`) and audit logs can read it. Log masking
    hides only the exact value: anaconda-client printed a malformed token to stderr
    (anaconda-client#548). GitHub's advice ("Using secrets in GitHub Actions"): avoid
    passing secrets on the command line; use environment variables the program reads.

    Reported for the clients of package indexes shiplint knows (twine, uv, hatch, flit,
    poetry, pdm, maturin, and the anaconda-client CLI `anaconda`/`binstar`, whose token
    also deletes packages): a secret of another service (a webhook URL, a docs deploy key)
    is not a release credential and is left alone.

    Fix: give the token to the step's `env:` under the variable the client reads itself
    and drop it from the command line: `ANACONDA_API_TOKEN` (anaconda-client),
    `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`, `FLIT_PASSWORD`, `HATCH_INDEX_AUTH`,
    `POETRY_PYPI_TOKEN_PYPI`, `PDM_PUBLISH_PASSWORD`, `MATURIN_PYPI_TOKEN`.
    """

    code = "SL407"
    name = "secret-in-run"
    severity = Severity.WARNING
    summary = "An upload token is interpolated into an upload client's command line in run:"
    catalogue = ("S-10",)
    before = "- run: anaconda --token ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} upload dist/*.whl\n"
    after = (
        "- run: anaconda upload dist/*.whl\n  env:\n"
        "    ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        tools = {id(u.command): u.tool for u in model.uploads if u.command is not None}
        for workflow in model.workflows:
            src = workflow.source
            for job in workflow.jobs.values():
                for step in job.steps:
                    if step.run is None:
                        continue
                    refs = [
                        ref
                        for ref in secret_refs(src, step.run)
                        if ref.name.upper() not in ALWAYS_AVAILABLE
                    ]
                    if not refs:
                        continue  # its commands are read only for a secret they may hold
                    step_commands = model.step_commands().get(id(step), [])
                    commands = _client_commands(tools, step_commands)
                    reported: set[int] = set()
                    for ref in refs:
                        if ref.expr_start in reported:
                            continue
                        found = _client_at(commands, ref)
                        if found is None:
                            continue  # not a credential of an upload client
                        tool, program = found
                        reported.add(ref.expr_start)
                        names = " or ".join(f"`{v}`" for v in _CLIENT_ENV[tool])
                        yield self.at(
                            Loc(src, ref.expr_start, ref.end),
                            f"secret `{ref.name}` is pasted into the `{program}` command line",
                            "The value becomes part of the script text and an argument of the "
                            "upload tool (readable by other processes, parsed by the shell). "
                            f"Set {names} in the step's `env:` from the secret (`${{{{ secrets."
                            f"{ref.name} }}}}`) and drop it from the command: {program} reads "
                            "it from there.",
                        )


def _client_commands(
    tools: dict[int, str], commands: list[ShellCommand]
) -> list[tuple[ShellCommand, str, str]]:
    """The ``commands`` (of a workflow step) that run an upload client: the command, the
    client (``tools``: the tool of each upload's command, by ``id``; the anaconda-client CLI
    for any of its subcommands) and the program as written (`binstar` is anaconda-client
    too)."""
    found: list[tuple[ShellCommand, str, str]] = []
    for cmd in commands:
        if not cmd.args or cmd.context.step is None or cmd.context.origin != "workflow":
            continue
        program = program_of(cmd)[1]
        tool = tools.get(id(cmd))
        if tool is None and program in ANACONDA_CLI:
            tool = "anaconda"
        if tool in _CLIENT_ENV:
            found.append((cmd, tool, program or tool))
    return found


def _client_at(
    commands: list[tuple[ShellCommand, str, str]], ref: SecretRef
) -> tuple[str, str] | None:
    """The client (and program) whose command line holds the reference."""
    for cmd, tool, program in commands:
        first, last = cmd.args[0].loc, cmd.args[-1].loc
        if first.source is ref.source and first.start <= ref.start < last.end:
            return tool, program
    return None
