"""Uploads in shell scripts and ``run:`` blocks without errexit: a failed upload leaves the
job green (S-2)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.script_uploads import script_uploads, upload_command_name
from shiplint.model.workflows import run_setting
from shiplint.parse.shell_flow import fails
from shiplint.pkg.upload_commands import program_name
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import ShellCommand, Upload
    from shiplint.model.script_uploads import ScriptFlow
    from shiplint.parse.shell import Command
    from shiplint.parse.shell_flow import Node
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.project import Project
    from shiplint.source import SourceFile


_SHORT_OPTS = LazyPattern(r"^[-+][A-Za-z]+$")
_SHELLS = frozenset({"bash", "sh", "dash", "zsh", "ksh"})


def _has_errexit(words: list[str]) -> bool | None:
    """Whether shell options turn errexit on (True), off (False) or leave it (None)."""
    state: bool | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-o", "+o") and i + 1 < len(words):
            if words[i + 1] == "errexit":
                state = word == "-o"
            i += 2
            continue
        if _SHORT_OPTS.match(word) and "e" in word[1:]:
            state = word[0] == "-"
        i += 1
    return state


def _shebang_errexit(text: str) -> bool:
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return False
    return bool(_has_errexit(first[2:].split()))


class _ErrexitIndex:
    """The ``set -e``/``set +e`` commands of one flow, read once: errexit at any offset is
    then a bisection (``flow.commands`` are in text order; otherwise each question scans
    them as before)."""

    def __init__(self, flow: ScriptFlow) -> None:
        self.flow = flow
        starts = [cmd.start for cmd in flow.commands]
        self.sorted = all(starts[i] <= starts[i + 1] for i in range(len(starts) - 1))
        self.starts = starts
        #: the errexit state the ``set`` commands before index i leave (None: untouched)
        self.after: list[bool | None] = [None]
        state: bool | None = None
        for cmd in flow.commands:
            got = _set_errexit(cmd)
            if got is not None:
                state = got
            self.after.append(state)

    def before(self, offset: int, initial: bool) -> bool:
        """Whether errexit is on at ``offset`` of the text: ``initial``, then the last
        ``set -e``/``+e`` before it."""
        if self.sorted:
            got = self.after[bisect.bisect_left(self.starts, offset)]
            return initial if got is None else got
        state = initial
        for cmd in self.flow.commands:
            if cmd.start >= offset:
                break
            changed = _set_errexit(cmd)
            if changed is not None:
                state = changed
        return state


def _set_errexit(cmd: Command) -> bool | None:
    """What a command does to errexit: ``set -e`` (True), ``set +e`` (False), else None."""
    argv = [w.text for w in cmd.words]
    if argv[:1] == ["set"]:
        return _has_errexit(argv[1:])
    return None


def _shell_errexit(shell: str | None) -> bool | None:
    """errexit of a run step's shell (None: not a POSIX shell, not checked)."""
    if shell is None:
        return True  # bash -e {0} (sh -e {0} without bash)
    words = shell.split()
    if not words or program_name(words[0]) not in _SHELLS:
        return None
    if len(words) == 1:
        return True  # the `bash` / `sh` keywords: bash --noprofile --norc -eo pipefail {0}
    return bool(_has_errexit([w for w in words[1:] if w != "{0}"]))


def _commands_by_arg(project: Project) -> dict[tuple[int, Loc], ShellCommand]:
    """The first command of each step with an argument at each place (``id(step)``, the
    argument's location), made once per project."""
    key = "upload_errexit.commands_by_arg"
    got = project.memo.get(key)
    if isinstance(got, dict):
        return got
    index: dict[tuple[int, Loc], ShellCommand] = {}
    for command in project.model.commands:
        step = command.context.step
        for arg in command.args:
            index.setdefault((id(step), arg.loc), command)
    project.memo[key] = index
    return index


def _script_errexit(project: Project, src: SourceFile) -> bool:
    """Whether a script runs with errexit on from its first line: the shebang when run as
    a program, the interpreter's options (``bash -e x.sh``), or the calling step's shell
    when sourced. Every known call must give it."""
    model = project.model
    calls = model.script_calls.get(src.rel, [])
    shebang = _shebang_errexit(src.text or "")
    if not calls:
        return shebang
    for call in calls:
        step = call.caller.step
        command = _commands_by_arg(project).get((id(step), call.loc))
        if command is None or step is None:
            return shebang
        argv = command.argv()
        head = program_name(argv[0])
        if head in ("source", "."):
            shell = run_setting(step, "shell")
            if not _shell_errexit(shell.value if shell is not None else None):
                return False
        elif head in _SHELLS:
            options = [a for a in argv[1:] if a.startswith(("-", "+"))]
            if not _has_errexit(options):
                return False
        elif not shebang:
            return False
    return True


#: PowerShell commands after which ``$LASTEXITCODE`` is still the last program's: cmdlets
#: (``Verb-Noun``) and their common aliases, and assignments
_PWSH_ALIASES = frozenset({"echo", "write", "cd", "sl", "ls", "dir", "gci", "cat", "type", "%"})
#: cmd.exe built-ins that leave ERRORLEVEL as it was when they succeed
_CMD_KEEPS = frozenset(
    {"echo", "echo.", "rem", "set", "setlocal", "endlocal", "cd", "chdir", "pushd", "popd"}
)
_CMDLET = LazyPattern(r"^[A-Za-z]+-[A-Za-z]+$")


def _keeps_status(node: Node, dialect: str) -> bool:
    """Whether a command after the upload leaves the status the step ends with as it was:
    in PowerShell only a program sets ``$LASTEXITCODE`` (which GitHub's wrapper exits
    with); in cmd.exe ``echo``, ``set`` and a few other built-ins leave ERRORLEVEL."""
    if dialect == "sh" or node.kind != "cmd" or node.cmd is None:
        return False
    if not node.cmd.words:
        return True  # an assignment
    head = node.cmd.words[0].text
    if dialect == "pwsh":
        return bool(_CMDLET.match(head)) or head.lower() in _PWSH_ALIASES
    return head.lower().lstrip("@") in _CMD_KEEPS


def _status_of_script(flow: ScriptFlow, target: Node, tails: dict[int, int]) -> bool:
    """Whether the script's exit status is that of ``target`` when it fails: it is the last
    command run, at the top level or in ``if``/``case`` branches and groups, and only
    ``&&`` lists follow it (in PowerShell and cmd.exe, or commands that leave the status
    as it was: :func:`_keeps_status`). ``tails`` caches, per list, the index of its last
    node not joined by ``&&``."""
    if flow.nodes is None or target.negated:
        return False
    chain = flow.chain(target)
    if chain is None:
        return False
    dialect = flow.dialect
    for body, index, container, branch in chain:
        tail = tails.get(id(body))
        if tail is None:
            tail = tails[id(body)] = max(
                (
                    i
                    for i, node in enumerate(body)
                    if node.joined != "&&" and not _keeps_status(node, dialect)
                ),
                default=-1,
            )
        if tail > index:
            return False
        if container is None:
            continue
        if container.kind in ("loop", "function") or branch == -2:
            return False
    return True


def _handled(flow: ScriptFlow, target: Node) -> bool:
    """``upload || exit 1`` (or ``|| { ...; exit 1; }``, cmd.exe's ``|| exit /b 1``), or
    an ``if`` right after it that tests the exit status and fails (``if [ $? -ne 0 ]``,
    ``if errorlevel 1 exit /b 1``, ``if ($LASTEXITCODE -ne 0) { exit 1 }``): the failure
    is acted on."""
    if flow.nodes is None:
        return False
    chain = flow.chain(target)
    if chain is None:
        return False
    body, index, _container, _branch = chain[-1]
    following = body[index + 1 : index + 2]
    if not following:
        return False
    if following[0].joined == "||" and fails(following):
        return True
    node = following[0]
    if node.kind != "if" or not node.branches:
        return False
    first = node.branches[0]
    tests_status = any(
        n.cmd is not None and any(w.text == "$?" for w in n.cmd.words) for n in first.cond
    )
    return tests_status and fails(first.body)


def _errexit_fix(flow: ScriptFlow, shell: YScalar | None) -> Fix | None:
    if flow.dialect != "sh":
        return None
    if flow.step is None:
        text = flow.src.text or ""
        at = text.find("\n") + 1 if text.startswith("#!") else 0
        if text.startswith("#!") and at == 0:
            return None
        return Fix(
            "stop the script at the first failing command", (Edit(at, at, "set -e\n"),), safe=False
        )
    if shell is None:
        return None
    loc = Loc(flow.src, shell.start, shell.end)
    if loc.text != shell.value:
        return None
    words = shell.value.split(" ")
    if len(words) > 1 and re.fullmatch(r"-[A-Za-z]+", words[1]):
        words[1] = "-e" + words[1][1:]
    else:
        words.insert(1, "-e")
    new = " ".join(words)
    return Fix(f"run with `shell: {new}`", (Edit(loc.start, loc.end, new),), safe=False)


@register
class UploadWithoutErrexit(Rule):
    """A script uploads without `set -e`: a failed upload does not fail the job.

    A shell carries on after a failing command unless errexit is on, and exits with the
    status of its *last* command. An `anaconda upload` or `twine upload` that fails in the
    middle of a script, inside a loop, or followed by an `echo`, leaves the job green
    (catalogue S-2: h5py's ARM wheel uploads failed for about seven months unnoticed, fixed
    by adding `set -e` in h5py/h5py#2216).

    GitHub Actions runs `run:` blocks on Linux and macOS with `bash -e {0}` (`sh -e {0}`
    without bash) when no `shell:` is set, `bash --noprofile --norc -e -o pipefail {0}` for
    `shell: bash` and `sh -e {0}` for `shell: sh` (actions/runner `ScriptHandler.cs` and
    `ScriptHandlerHelpers.cs`, checked at 258d6c8, 2026-08-17). A custom `shell:` runs
    exactly as written, so `bash -l {0}` (used with conda) or `bash {0}` has no errexit,
    and a script run as `bash tools/upload.sh` starts without errexit whatever its caller
    had.

    On Windows runners the default shell is PowerShell (`pwsh`, else Windows PowerShell).
    GitHub runs `shell: pwsh`/`powershell` blocks with `$ErrorActionPreference = 'stop'`
    prepended, which stops on cmdlet errors but not on a failing program, and
    `if ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }` appended:
    the step's status is the exit code of the *last* program. `shell: cmd` runs
    `cmd /D /E:ON /V:OFF /S /C "CALL "{0}""`, which goes on after a failing program too
    (actions/runner `ScriptHandlerHelpers.cs` at v2.336.0). shiplint reports an upload in
    such a block, or in a `.ps1`/`.bat`/`.cmd` script, that is not the last program and
    is not followed by `|| exit /b 1` or a test of `$LASTEXITCODE`/`errorlevel` that
    exits; `$PSNativeCommandUseErrorActionPreference = $true` before it counts as errexit.
    Script items of other CI systems' files are not checked (how a failing command ends
    one differs by system and section).
    shiplint reports uploads in script files, and in `run:` blocks whose shell lacks `-e`,
    when no `set -e` / `set -euo pipefail` / `set -o errexit` (or a `#!/bin/bash -e`
    shebang for a script run as a program) comes before them. An upload whose status is
    the script's exit status anyway (its last command), or followed by `|| exit 1`, is
    left alone.

    Fix: `set -euo pipefail` at the top of the script, or `shell: bash -el {0}`.
    """

    code = "SL912"
    name = "upload-without-errexit"
    severity = Severity.WARNING
    summary = "Upload in a script without `set -e`: a failed upload leaves CI green"
    catalogue = ("S-2",)
    example_file = "tools/upload_wheels.sh"
    before = (
        "#!/bin/bash\n"
        "for whl in wheelhouse/*.whl; do\n"
        '    anaconda -t "$TOKEN" upload --force -u scientific-python-nightly-wheels "$whl"\n'
        "done\n"
        'echo "uploaded"\n'
    )
    after = (
        "#!/bin/bash\nset -euo pipefail\n"
        "for whl in wheelhouse/*.whl; do\n"
        '    anaconda -t "$TOKEN" upload --force -u scientific-python-nightly-wheels "$whl"\n'
        "done\n"
        'echo "uploaded"\n'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        done: set[int] = set()
        script_errexit: dict[str, bool] = {}
        indexes: dict[int, _ErrexitIndex] = {}
        tails: dict[int, int] = {}
        for upload, flow, node in script_uploads(project):
            if id(flow) in done or node.cmd is None:
                continue
            if flow.step is None and flow.src.kind == "ci":
                continue  # how a failing command ends a CI item differs by system and key
            shell: YScalar | None = None
            if flow.dialect != "sh":
                finding = _windows_finding(self, project, upload, flow, node, indexes, tails)
                if finding is not None:
                    done.add(id(flow))
                    yield finding
                continue
            if flow.step is None:
                rel = flow.src.rel
                if rel not in script_errexit:
                    script_errexit[rel] = _script_errexit(project, flow.src)
                initial = script_errexit[rel]
                where = f"`{rel}`"
            else:
                shell = run_setting(flow.step, "shell")
                got = _shell_errexit(shell.value if shell is not None else None)
                if got is None:
                    continue
                initial = got
                where = f"this `run:` block (shell: {shell.value if shell else 'bash -e'})"
            index = indexes.get(id(flow))
            if index is None:
                index = indexes[id(flow)] = _ErrexitIndex(flow)
            if index.before(node.cmd.start, initial):
                continue
            if _status_of_script(flow, node, tails) or _handled(flow, node):
                continue
            done.add(id(flow))
            help_text = (
                "Add `set -euo pipefail` at the top of the script (or run it with `bash -e`)."
                if flow.step is None
                else "Use a shell with errexit (`shell: bash -el {0}` keeps the login shell "
                "conda needs) or start the block with `set -euo pipefail`."
            )
            yield self.at(
                upload.loc,
                f"`{upload_command_name(upload)}` runs in {where} without `set -e`: if it fails, "
                "the script carries on and the job can still succeed",
                f"A shell exits with the status of its last command; a failed upload before "
                f"it goes unnoticed (h5py's wheel uploads failed for months this way). "
                f"{help_text}",
                fix=_errexit_fix(flow, shell),
            )


#: what to add after an upload so that its failure fails the job, per dialect
_WINDOWS_HELP = {
    "pwsh": "PowerShell goes on after a program fails (`$ErrorActionPreference = 'stop'` "
    "stops only on cmdlet errors), and GitHub's wrapper exits with `$LASTEXITCODE`, the "
    "code of the *last* program. Check it after the upload (`if ($LASTEXITCODE -ne 0) "
    "{ exit $LASTEXITCODE }`), or set `$PSNativeCommandUseErrorActionPreference = $true` "
    "(PowerShell 7.3+).",
    "cmd": "cmd.exe goes on after a program fails and ends with the ERRORLEVEL of the last "
    "program. Add `|| exit /b 1` after the upload (or `if errorlevel 1 exit /b 1`).",
}


def _windows_finding(
    rule: UploadWithoutErrexit,
    project: Project,
    upload: Upload,
    flow: ScriptFlow,
    node: Node,
    indexes: dict[int, _ErrexitIndex],
    tails: dict[int, int],
) -> Finding | None:
    """SL912 for a PowerShell or cmd.exe text: a failing program does not stop it."""
    assert node.cmd is not None
    index = indexes.get(id(flow))
    if index is None:
        index = indexes[id(flow)] = _ErrexitIndex(flow)
    if index.before(node.cmd.start, False):
        return None
    if _status_of_script(flow, node, tails) or _handled(flow, node):
        return None
    if flow.step is None:
        where = f"`{flow.src.rel}`"
    else:
        shell = run_setting(flow.step, "shell")
        where = (
            f"this `run:` block (shell: {shell.value if shell else 'pwsh, the Windows default'})"
        )
    name = "PowerShell" if flow.dialect == "pwsh" else "cmd.exe"
    return rule.at(
        upload.loc,
        f"`{upload_command_name(upload)}` runs in {where} and its exit status is not checked: "
        f"if it fails, {name} carries on and the job can still succeed",
        _WINDOWS_HELP[flow.dialect],
    )
