"""SL404 secrets-in-if: the ``secrets`` context used where GitHub does not provide
it (``if:``, reusable-workflow ``with:``, a composite action)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.parse.yamlnodes import walk_scalars
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.secrets.common import _is_if, secrets_words

if TYPE_CHECKING:
    from shiplint.model import Step
    from shiplint.project import Project


# --- SL404 -------------------------------------------------------------------------------------


@register
class SecretsInIf(Rule):
    """The `secrets` context is used where GitHub does not provide it.

    `secrets` is not available in a job's or a step's `if:`, in the `with:` of a job that
    calls a reusable workflow, or anywhere in an action's `action.yml`. GitHub rejects the
    workflow (or the step using the action) with `Unrecognized named-value: 'secrets'.
    Located at position 1 within expression: secrets.PYPI_TOKEN != ''`. Checked against
    GitHub's context-availability table ("Contexts reference") and the schemas the runner
    ships (2026-05: `workflow-v1.0.json` gives `job-if`, `step-if` and a call's `with` no
    `secrets`; `action_yaml.json` gives no expression in an action `secrets`).

    Fix: map the secret into `env:` (of the job or step) and test `env.X != ''` instead;
    pass secrets to a reusable workflow under `secrets:`, and to a composite action as an
    input from the calling step.
    """

    code = "SL404"
    name = "secrets-in-if"
    severity = Severity.ERROR
    summary = "`secrets` used in if:, reusable-workflow with:, or a composite action"
    catalogue = ("S-3",)
    before = (
        "- name: Publish\n  if: secrets.PYPI_API_TOKEN != ''\n  run: twine upload dist/*\n"
        "  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    after = (
        "- name: Publish\n  if: env.TWINE_PASSWORD != ''\n  run: twine upload dist/*\n"
        "  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}\n"
    )

    _HELP_IF = (
        "GitHub rejects the workflow: `Unrecognized named-value: 'secrets'`. Map the secret "
        "into the job's or step's `env:` (`X: ${{ secrets.X }}`) and test `env.X != ''`."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        for workflow in model.workflows:
            src = workflow.source
            for job in workflow.jobs.values():
                if job.condition is not None:
                    for at in secrets_words(src, job.condition, whole_expression=True):
                        yield self.at(
                            Loc(src, at, at + 7),
                            f"`secrets` in the `if:` of job `{job.id}`",
                            self._HELP_IF,
                        )
                for step in job.steps:
                    if step.condition is None:
                        continue
                    for at in secrets_words(src, step.condition, whole_expression=True):
                        yield self.at(
                            Loc(src, at, at + 7),
                            f"`secrets` in the `if:` of {_step_name(step)}",
                            self._HELP_IF,
                        )
                if job.uses is not None and job.with_ is not None:
                    for _path, scalar in walk_scalars(job.with_):
                        for at in secrets_words(src, scalar):
                            yield self.at(
                                Loc(src, at, at + 7),
                                f"`secrets` in the `with:` of reusable-workflow call `{job.id}`",
                                "Inputs of a reusable-workflow call cannot read secrets "
                                "(`Unrecognized named-value: 'secrets'`). Pass it under the "
                                "job's `secrets:` and declare it in the called workflow's "
                                "`on.workflow_call.secrets`.",
                            )
        for action in model.actions:
            src = action.source
            for path, scalar in walk_scalars(action.root):
                if not _evaluated_in_action(path):
                    continue
                for at in secrets_words(src, scalar, whole_expression=_is_if(path)):
                    yield self.at(
                        Loc(src, at, at + 7),
                        "`secrets` in a composite action",
                        "Actions cannot read the `secrets` context: using this action fails "
                        "with `Unrecognized named-value: 'secrets'`. Declare an input (e.g. "
                        "`token:`), read it as `${{ inputs.token }}`, and pass "
                        "`token: ${{ secrets.X }}` from the calling workflow step.",
                    )


def _evaluated_in_action(path: tuple[str | int, ...]) -> bool:
    """Expressions GitHub evaluates in an action: ``runs`` and input defaults (descriptions
    are documentation)."""
    if path and path[0] == "runs":
        return True
    return len(path) == 3 and path[0] == "inputs" and path[2] == "default"


def _step_name(step: Step) -> str:
    if step.name:
        return f"step `{step.name}`"
    return f"step {step.index + 1} of job `{step.job.id}`"
