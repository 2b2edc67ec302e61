"""Flags of ``anaconda upload``: SL601 anaconda-token-after-upload (``-t TOKEN``
after the subcommand is the package type) and SL606 anaconda-skip-existing (``--skip`` in a
nightly upload)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.model.shellblocks import ENV_EXPR, ORG_VAR_RE, secret_names
from shiplint.model.workflows import local_callee
from shiplint.parse.shell_expand import variable_refs
from shiplint.pkg.build_backend import analyze
from shiplint.rules import register
from shiplint.rules.anaconda.common import (
    _PACKAGE_TYPES,
    _TOKENISH,
    _UPLOAD_VALUE_OPTIONS,
    _anaconda_uploads,
)
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Arg, ReleaseModel, ShellCommand, Upload, Workflow
    from shiplint.project import Project


# --- SL601 ---------------------------------------------------------------------------------


def _is_token_value(arg: Arg) -> bool:
    """Whether the value given to ``-t`` after ``upload`` looks like a token, not a type."""
    if arg.text in _PACKAGE_TYPES:
        return False
    if secret_names(arg.raw) or secret_names(arg.text):
        return True
    names = [*variable_refs(arg.raw), *variable_refs(arg.text), *ENV_EXPR.findall(arg.raw)]
    if any(_TOKENISH.search(name) for name in names):
        return True
    # a literal that is not a package type (a token written in the file, most likely)
    return "$" not in arg.text and bool(arg.text)


@register
class AnacondaTokenAfterUpload(Rule):
    """`anaconda upload -t TOKEN`: after the subcommand, `-t` is the package type.

    `anaconda` takes `-t/--token` as an option of the main command, *before* the
    subcommand. The `upload` subcommand has its own `-t`, short for `--package-type`. In
    `anaconda upload -t $TOKEN dist/*.whl` the token is therefore read as a package type
    and no token is sent. The upload fails: since anaconda-client 1.10 the value must name
    a package type (`conda`, `pypi`, `file` ...), and the client stops with
    `ValueError: '<the value>' is not a valid PackageType` (the message repeats the token);
    older releases failed later, with `[ERROR] Trouble reading metadata from <file>. Is this
    a valid package package?` (anaconda/anaconda-client#518).

    Fix: put the token option before `upload` (`anaconda -t "$TOKEN" upload …`), or pass
    the token in the `ANACONDA_API_TOKEN` environment variable. shiplint offers the move
    as a fix when the words sit on one line.
    """

    code = "SL601"
    name = "anaconda-token-after-upload"
    severity = Severity.ERROR
    summary = "`anaconda upload -t TOKEN` passes the token as the package type"
    catalogue = ("E-6",)
    example_file = "tools/upload_wheels.sh"
    before = 'anaconda upload -t "$ANACONDA_TOKEN" --force -u "$ANACONDA_ORG" dist/*.whl\n'
    after = 'anaconda -t "$ANACONDA_TOKEN" upload --force -u "$ANACONDA_ORG" dist/*.whl\n'

    def check(self, project: Project) -> Iterator[Finding]:
        for _upload, cmd, sub in _anaconda_uploads(project.model):
            args = cmd.args
            global_token = any(
                a.text in ("-t", "--token") or a.text.startswith("--token=") for a in args[1:sub]
            )
            i = sub + 1
            while i < len(args):
                text = args[i].text
                if text == "-t" and i + 1 < len(args):
                    value = args[i + 1]
                    if _is_token_value(value):
                        yield self._finding(cmd, sub, i, global_token)
                    i += 2
                    continue
                if text in _UPLOAD_VALUE_OPTIONS:
                    i += 2
                    continue
                i += 1

    def _finding(self, cmd: ShellCommand, sub: int, i: int, global_token: bool) -> Finding:
        args = cmd.args
        flag, value = args[i], args[i + 1]
        shown = f"`{value.raw}`" if "$" in value.raw else "the value"
        if "$" not in value.raw:  # a literal, most likely a token: never print it
            span = (value.loc.start, value.loc.end)
            if span not in value.loc.source.secret_spans:
                value.loc.source.secret_spans.append(span)
        fix = None if global_token else _move_token_fix(cmd, sub, i)
        where = (
            ""
            if not global_token
            else (" (a token is also given before `upload`; this one is read as the package type)")
        )
        return self.at(
            flag.loc,
            f"`-t` after `upload` is `--package-type`: {shown} is not sent as the token{where}",
            "`anaconda` reads `-t/--token` only before the subcommand; after `upload`, `-t` "
            f"means `--package-type`, so {shown} is taken as a package type and no token is "
            "sent. The upload fails with `ValueError: '...' is not a valid PackageType`, which "
            "repeats the token in the log (anaconda-client 1.10 and later; older releases: "
            "`Trouble reading metadata from <file>`). Move the option before the subcommand "
            "(`anaconda -t TOKEN upload ...`) or pass the token in `ANACONDA_API_TOKEN`.",
            fix=fix,
        )


def _move_token_fix(cmd: ShellCommand, sub: int, i: int) -> Fix | None:
    args = cmd.args
    upload, flag, value = args[sub], args[i], args[i + 1]
    src = cmd.source
    text = src.text or ""
    if upload.loc.source is not src or flag.loc.source is not src or value.loc.source is not src:
        return None
    if upload.loc.text != "upload" or flag.loc.text != "-t" or "$" not in value.raw:
        return None
    start, end = value.loc.start, value.loc.end
    if start > 0 and end < len(text) and text[start - 1] == text[end] and text[end] in "\"'":
        start, end = start - 1, end + 1
    written = text[start:end]
    if "\n" in written or "\\" in written or written.strip("\"'") != value.raw:
        return None
    if "\n" in text[upload.loc.start : end]:
        return None
    prev_end = args[i - 1].loc.end
    gap = text[prev_end : flag.loc.start]
    if prev_end > flag.loc.start or gap.strip(" \t") or not gap:
        return None
    if text[flag.loc.end : start].strip(" \t"):
        return None
    return Fix(
        "move the token option before `upload`",
        (Edit(upload.loc.start, upload.loc.start, f"-t {written} "), Edit(prev_end, end, "")),
    )


# --- SL606 ---------------------------------------------------------------------------------


def _is_nightly_org(text: str) -> bool:
    org = text.strip().lower()
    return org == facts_mod.load().nightly_org or "nightly" in org


def _called_from_schedule(model: ReleaseModel, workflow: Workflow) -> Workflow | None:
    """A scheduled workflow that calls reusable ``workflow`` (``./`` or ``$/``)."""
    for caller in model.workflows:
        if "schedule" not in caller.triggers:
            continue
        for job in caller.jobs.values():
            if job.uses is None:
                continue
            if local_callee(model, job.uses.text, caller) is workflow:
                return caller
    return None


def _nightly_reason(model: ReleaseModel, upload: Upload) -> str | None:
    workflow = upload.context.workflow
    if workflow is not None and upload.context.origin != "script":
        if "schedule" in workflow.triggers:
            return f"the workflow `{workflow.source.rel}` runs on a schedule"
        if workflow.is_reusable:
            caller = _called_from_schedule(model, workflow)
            if caller is not None:
                return f"the scheduled workflow `{caller.source.rel}` calls this one"
    for call in model.script_calls.get(upload.source.rel, []):
        wf = call.caller.workflow
        if wf is not None and "schedule" in wf.triggers:
            return f"the scheduled workflow `{wf.source.rel}` runs this script"
    if upload.target is not None and _is_nightly_org(upload.target.text):
        return f"it uploads to `{upload.target.text.strip()}`"
    for name, value, _context in model.assignments:
        if (
            value.loc is not None
            and value.loc.source is upload.source
            and ORG_VAR_RE.search(name)
            and _is_nightly_org(value.text)
        ):
            return f"`{name}` is set to `{value.text.strip()}` here"
    return None


@register
class AnacondaSkipExisting(Rule):
    """Nightly uploads with `anaconda upload --skip` / `--skip-existing` go stale.

    `--skip-existing` (which `--skip` abbreviates) makes `anaconda upload` skip a file that
    already exists. Nightly wheels whose version does not change from day to day (a static
    `X.Y.0.dev0`, as numpy's and scipy's Meson builds had) keep their file name, so after
    the first night nothing new is uploaded and nobody notices: users keep installing
    weeks-old wheels (numpy/numpy#24071, scipy/scipy#16702).

    Whether that happens depends on how the version is made, which shiplint reads from the
    project's build configuration:

    * a version a VCS plugin computes (setuptools-scm, hatch-vcs, pdm's scm source,
      versioningit, poetry-dynamic-versioning ...: `X.Y.devN+gHASH` or `X.Y.devN`) changes
      with every commit, and a file that exists was built from the same commit: `--skip` is
      harmless, nothing is reported (unless the workflow pins the version, e.g. with
      `SETUPTOOLS_SCM_PRETEND_VERSION`);
    * a workflow that rewrites the version first (a date or run number) is not reported;
    * a static version (`[project] version`, setup.cfg, setup.py) is a warning;
    * a version read from code or a file, or derived in a way shiplint does not know
      (versioneer, Meson's `meson.build`), is a note that says what to check.

    shiplint reports the option when the upload is a nightly one: its workflow runs on a
    `schedule` (or a scheduled workflow runs the script), or it uploads to a nightly org.

    Fix: give every nightly a unique version (add the commit count or date to the dev
    version) and upload with `--force`, which replaces a file of the same name, as
    scientific-python/upload-nightly-action does. With `--force` alone, a same-named file
    is removed first and the upload can still fail (`Invalid dist_id ... does not exist`,
    404), hence the unique versions.
    """

    code = "SL606"
    name = "anaconda-skip-existing"
    severity = Severity.WARNING
    summary = "`anaconda upload --skip` in a nightly upload leaves stale wheels in place"
    catalogue = ("E-9",)
    example_file = "tools/wheels/upload_wheels.sh"
    before = (
        'ANACONDA_ORG="scientific-python-nightly-wheels"\n'
        'anaconda -q -t "$TOKEN" upload --skip -u "$ANACONDA_ORG" ./wheelhouse/*.whl\n'
    )
    after = (
        'ANACONDA_ORG="scientific-python-nightly-wheels"\n'
        'anaconda -q -t "$TOKEN" upload --force -u "$ANACONDA_ORG" ./wheelhouse/*.whl\n'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        version = analyze(project).version
        for upload, cmd, sub in _anaconda_uploads(model):
            args = cmd.args
            skips = [
                a
                for a in args[sub + 1 :]
                if len(a.text) >= 4 and "--skip-existing".startswith(a.text)
            ]
            if not skips:
                continue
            reason = _nightly_reason(model, upload)
            if reason is None:
                continue
            # imported on first use: the versioning family is not needed without build files
            from shiplint.rules.versioning.uploads import bumps_version, version_overridden

            if bumps_version(upload):
                continue
            if version.kind == "vcs" and not version_overridden(project, upload):
                continue  # a new version for every commit
            for arg in skips:
                fix = None
                if arg.loc.text == arg.text:
                    fix = Fix(
                        "upload with `--force`",
                        (Edit(arg.loc.start, arg.loc.end, "--force"),),
                        safe=False,
                    )
                if version.kind == "static":
                    yield self.at(
                        arg.loc,
                        f"`{arg.text}` in a nightly upload ({reason}): the version "
                        f"`{version.text}` never changes, so no new wheel is uploaded",
                        "Files that already exist are skipped. With a static version every "
                        "nightly wheel keeps its file name, so the new builds are silently "
                        "not uploaded and users install stale wheels. Give each nightly a "
                        "unique dev version (commit count or date) and upload with "
                        "`--force`, which replaces a file of the same name.",
                        fix=fix,
                    )
                    continue
                how = (
                    "the workflow sets the version itself"
                    if version.kind == "vcs"
                    else "the version is read from code or a file"
                    if version.kind == "dynamic"
                    else "shiplint does not know how the version is made"
                )
                yield self.at(
                    arg.loc,
                    f"`{arg.text}` in a nightly upload ({reason}): check that each nightly "
                    "gets a new version",
                    f"Files that already exist are skipped, and {how}. If the version stays "
                    "the same between builds (e.g. `X.Y.0.dev0`), the new wheels are "
                    "silently not uploaded and users install stale ones. Versions with a "
                    "commit count or date (setuptools-scm, hatch-vcs, versioneer) change "
                    "every build; otherwise upload with `--force` and make the dev version "
                    "unique.",
                    severity=Severity.INFO,
                    fix=fix,
                )
