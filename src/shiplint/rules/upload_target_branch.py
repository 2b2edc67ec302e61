"""Upload destinations chosen by a shell ``if``/``case`` in the upload script (S-2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model.script_uploads import (
    script_uploads,
    target_routes,
    target_variable,
    upload_command_name,
)
from shiplint.parse.shell_flow import fails
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model.script_uploads import Route, ScriptFlow
    from shiplint.parse.shell_flow import Node
    from shiplint.project import Project

_TESTS = frozenset({"[", "[[", "test"})


def _words(node: Node) -> list[str]:
    return [w.text for w in node.cmd.words] if node.cmd is not None else []


def _unclosed(node: Node) -> bool:
    """A ``[`` command without its closing ``]``: bash prints ``[: missing `]'`` and the
    command fails with status 2, whatever it compares."""
    words = _words(node)
    return bool(words) and words[0] == "[" and words[-1] != "]"


def _broken_tests(flow: ScriptFlow, routes: list[Route]) -> tuple[list[str], bool]:
    """The ``[`` commands without ``]`` in the ``if``/``elif`` tests deciding the routes
    (as written, for the message), and whether each such test is surely false: the condition
    is only the broken ``[`` and the rest of the same test split off by ``||``/``&&``
    (``[ "$A" == x || "$B" == y ]``, scikit-learn/scikit-learn#27831), whose first word is
    no command."""
    broken: list[str] = []
    certain = True
    containers = {id(r.container): r.container for r in routes if r.container is not None}
    for container in containers.values():
        if container.kind != "if":
            continue
        for branch in container.branches:
            if branch.kind not in ("if", "elif") or not any(_unclosed(n) for n in branch.cond):
                continue
            for node in branch.cond:
                words = _words(node)
                if _unclosed(node):
                    broken.append(flow.cmd_text(node))
                    continue
                split_rest = bool(words) and words[-1] == "]" and words[0] not in _TESTS
                if not split_rest or node.joined not in ("||", "&&"):
                    certain = False
    return broken, certain and bool(broken)


def _guarded(routes: list[Route]) -> bool:
    """Every value is chosen by an explicit branch of one ``if``/``case`` whose fall-through
    branch (``else``, ``*)``) fails: an unexpected event or a broken test stops the job."""
    containers = {id(r.container) for r in routes}
    container = routes[0].container
    if len(containers) != 1 or container is None:
        return False
    default = None
    for index, branch in enumerate(container.branches):
        if branch.kind == "else" or (branch.kind == "case" and branch.label.strip() == "*"):
            default = index
    if default is None or any(r.branch == default for r in routes):
        return False
    return fails(container.branches[default].body)


@register
class UploadTargetByShellCondition(Rule):
    """Where an upload goes depends on a shell `if`/`case` in the upload script.

    `if [ "$GITHUB_EVENT_NAME" == "schedule" ]; then ANACONDA_ORG=scientific-python-nightly-wheels;
    else ANACONDA_ORG=project-wheels-staging; fi` then `anaconda upload -u "$ANACONDA_ORG"`
    sends the nightly wheels to the staging org as soon as the test is false for any
    reason: a `[`/`]` typo (bash prints an error and the test counts as false), a renamed
    event, an unset variable. scikit-learn's nightlies went to its staging org that way
    (scikit-learn/scikit-learn#27831; catalogue S-2). The job stays green and the nightly
    index goes stale.

    shiplint follows the variable given to `anaconda upload -u/--user` (or twine's
    `--repository-url`, uv's `--publish-url` ...) and reports the upload when the script
    assigns it different values in different branches, listing which value each branch
    picks. Branches that cover every expected case and a fall-through (`else`, `*)`) that
    fails are accepted.

    Severity follows what shiplint can see. A test written correctly picks the right
    target, so the finding is info: it names the values and says what to check. A deciding
    test with a `[` that lacks its closing `]` is a bug shiplint sees: `[` fails with
    status 2 (bash: ``[: missing `]'``). When the condition is only that broken test (and
    the rest of it split off by `||`/`&&`, as in scikit-learn's case) the branch is never
    taken: an error. When other commands share the condition, a warning.

    Fix: choose the target where the trigger is known — separate workflow steps with
    `if: github.event_name == 'schedule'` and the org written in each — or make the shell
    test exhaustive and fail on anything else (`else echo "unexpected event"; exit 1; fi`).
    """

    code = "SL913"
    name = "upload-target-by-shell-condition"
    severity = Severity.INFO
    summary = "Upload destination chosen by a shell if/case: a broken test uploads elsewhere"
    catalogue = ("S-2",)
    example_file = "build_tools/github/upload_anaconda.sh"
    before = (
        "#!/bin/bash\nset -e\n"
        'if [ "$GITHUB_EVENT_NAME" == "schedule" || "$CIRRUS_CRON" == "nightly" ]; then\n'
        '    ANACONDA_ORG="scientific-python-nightly-wheels"\n'
        "else\n"
        '    ANACONDA_ORG="scikit-learn-wheels-staging"\n'
        "fi\n"
        'anaconda -t "$ANACONDA_TOKEN" upload --force -u "$ANACONDA_ORG" dist/*.whl\n'
    )
    after = (
        "#!/bin/bash\nset -e\n"
        'case "$GITHUB_EVENT_NAME" in\n'
        '    schedule) ANACONDA_ORG="scientific-python-nightly-wheels" ;;\n'
        '    push) ANACONDA_ORG="scikit-learn-wheels-staging" ;;\n'
        '    *) echo "unexpected event $GITHUB_EVENT_NAME"; exit 1 ;;\n'
        "esac\n"
        'anaconda -t "$ANACONDA_TOKEN" upload --force -u "$ANACONDA_ORG" dist/*.whl\n'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[int, str]] = set()
        for upload, flow, _node in script_uploads(project):
            var = target_variable(upload)
            if var is None or (id(flow), var) in seen:
                continue
            routes = target_routes(flow, var)
            values = {r.value for r in routes}
            if len(values) < 2 or all(r.container is None for r in routes):
                continue
            if _guarded(routes):
                continue
            seen.add((id(flow), var))
            listed = "; ".join(f"`{r.value or '(empty)'}` {r.label}" for r in routes)
            broken, certain = _broken_tests(flow, routes)
            advice = (
                "Choose the target in the workflow, where the event is known (a step per "
                "event with `if: github.event_name == 'schedule'` and the org written in "
                'it), or make the test exhaustive and fail otherwise: `else echo "unexpected '
                'event"; exit 1`.'
            )
            if broken:
                tests = ", ".join(f"`{b}`" for b in broken)
                yield self.at(
                    upload.loc,
                    f"`{upload_command_name(upload)}` sends to `${var}`, which a shell "
                    f"condition sets ({listed}), and {tests} lacks its closing `]`: `[` fails "
                    "with status 2 (bash: [: missing `]'), so "
                    + (
                        "that branch is never taken"
                        if certain
                        else "that branch depends only on the rest of the condition"
                    ),
                    'Close each `[ … ]` before `||`/`&&` (`[ "$A" = x ] || [ "$B" = y ]`); '
                    "scikit-learn's nightlies went to its staging org for days this way "
                    f"(scikit-learn/scikit-learn#27831). {advice}",
                    severity=Severity.ERROR if certain else Severity.WARNING,
                )
                continue
            yield self.at(
                upload.loc,
                f"`{upload_command_name(upload)}` sends to `${var}`, which a shell condition sets: "
                f"{listed}",
                "This works while the test is right. When it is false for an unexpected "
                "reason (a renamed event, an unset variable) the upload silently goes to the "
                f"other target: check the test for every event that uploads. {advice}",
            )
