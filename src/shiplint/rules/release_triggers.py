"""Releases and tags created with the workflow's GITHUB_TOKEN, which start no publish
workflow (T-7)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.gha.scenarios import event_facts, reaches, tag_push_facts
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.workflows import linked, run_sources, upload_workflows
from shiplint.parse.shell_expand import variable_refs
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import input_scalar, input_text

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, ShellCommand, Step, Workflow
    from shiplint.project import Project

_DEFAULT_TOKEN = LazyPattern(
    r"secrets\s*\.\s*GITHUB_TOKEN\b|\bgithub\s*\.\s*token\b", re.IGNORECASE
)
_TAGGISH = LazyPattern(r"^(?:refs/tags/.+|v?\d+(?:\.\d+)+\S*)$")
_TAG_VAR = LazyPattern(r"TAG|VERSION", re.IGNORECASE)


def _default_token(text: str | None) -> bool:
    """Whether a token setting is the workflow's own GITHUB_TOKEN (or left to default)."""
    if text is None or not text.strip():
        return True
    return bool(_DEFAULT_TOKEN.search(text))


@dataclass
class _Release:
    """A step of workflow ``workflow`` that creates a release (``creates="release"``) or
    pushes a tag (``"tag"``) with the default GITHUB_TOKEN."""

    workflow: Workflow
    step: Step
    loc: Loc
    what: str
    creates: str
    #: an earlier step of the job pushed the tags with a token that does start workflows
    #: (a GitHub App's or a personal one kept by actions/checkout): the tag push is seen
    tag_pushed: bool = False


def _env_of(step: Step, name: str) -> str | None:
    for holder in (step.env, step.job.env, step.job.workflow.env if step.job.workflow else None):
        scalar = holder.get_scalar(name) if holder is not None else None
        if scalar is not None and not scalar.is_null:
            return scalar.value
    return None


def _checkout_token(job: Job, before: int) -> str | None:
    """The token ``git push`` uses in ``job`` before step ``before``: the last
    actions/checkout's ``token`` ("" for the default; None when credentials are not kept)."""
    token: str | None = None
    for step in job.steps:
        if step.index >= before:
            break
        if (step.action or "").lower() != "actions/checkout":
            continue
        if input_text(step, "persist-credentials").lower() == "false":
            token = None
        else:
            token = input_text(step, "token")
    return token


def _git_push_tag(cmd: ShellCommand, tags: set[str]) -> bool:
    argv = cmd.argv()
    if argv[:2] != ["git", "push"]:
        return False
    rest = argv[2:]
    if any(a in ("-d", "--delete") for a in rest):
        return False
    if any(a in ("--tags", "--follow-tags") for a in rest):
        return True
    positional = [a for a in cmd.args[2:] if not a.text.startswith("-")]
    for arg in positional[1:]:
        raw = arg.raw.split(":", 1)[-1].strip("\"'")
        ref = arg.text.split(":", 1)[-1]
        if ref in tags or raw in tags or ref.startswith("refs/tags/") or _TAGGISH.match(ref):
            return True
        if "/" in raw.replace("refs/tags/", ""):
            continue  # a branch such as release/v1.2
        names = [*variable_refs(raw), *re.findall(r"\$\{\{([^}]*)\}\}", raw)]
        if any(_TAG_VAR.search(n) for n in names):
            return True
    return False


def _tag_names(commands: list[ShellCommand]) -> set[str]:
    """Names given to ``git tag`` in a job (raw and expanded)."""
    names: set[str] = set()
    for cmd in commands:
        argv = cmd.argv()
        if argv[:2] != ["git", "tag"]:
            continue
        args = cmd.args[2:]
        i = 0
        while i < len(args):
            text = args[i].text
            if text in ("-m", "-F", "-u", "--message", "--file", "--local-user"):
                i += 2
                continue
            if not text.startswith("-"):
                names.update((text, args[i].raw))
                break
            i += 1
    return names


def _pushes_tags_with_own_token(
    job: Job, step: Step, commands: list[ShellCommand], tags: set[str]
) -> bool:
    """Whether ``step`` (running ``commands``) pushes tags (``git push --tags``/
    ``--follow-tags``/a tag ref, ``tags``: the names the job's ``git tag`` gives) with a
    token other than GITHUB_TOKEN: the one actions/checkout kept, or one in the remote."""
    for cmd in commands:
        if not _git_push_tag(cmd, tags):
            continue
        token = _checkout_token(job, step.index)
        if _custom_remote(step) or (token is not None and not _default_token(token)):
            return True
    return False


def _custom_remote(step: Step) -> bool:
    """Whether the step's script pushes to a remote holding a token other than GITHUB_TOKEN."""
    run_text = step.run.value if step.run is not None else ""
    return bool(
        re.search(r"x-access-token|https://[^\s]*\$\{\{\s*secrets\.", run_text)
    ) and not _DEFAULT_TOKEN.search(run_text)


def _git_and_gh(model: ReleaseModel) -> dict[int, list[ShellCommand]]:
    """The ``git`` and ``gh`` commands of each workflow step, by ``id(step)`` (the only
    commands that tag, push tags or create releases here)."""
    out: dict[int, list[ShellCommand]] = {}
    for key, commands in model.step_commands().items():
        found = [c for c in commands if c.args and c.args[0].text in ("git", "gh")]
        if found:
            out[key] = found
    return out


def _releases(model: ReleaseModel) -> Iterator[_Release]:
    actions = {a.lower() for a in facts_mod.toml_data()["github"]["release-actions"]}
    commands = _git_and_gh(model)
    for workflow in model.workflows:
        for job in workflow.jobs.values():
            job_commands = [c for s in job.steps for c in commands.get(id(s), ())]
            tags = _tag_names(job_commands) if job_commands else set()
            tag_pushed = False
            for step in job.steps:
                src = workflow.source
                action = (step.action or "").lower() if step.uses is not None else ""
                if action in actions and step.uses is not None:
                    if input_text(step, "draft").lower() == "true":
                        continue
                    given = input_scalar(step, "token")
                    token = given.value if given is not None else None
                    if token is None and action in ("actions/create-release",):
                        token = _env_of(step, "GITHUB_TOKEN")
                    if token is None:
                        token = _env_of(step, "GITHUB_TOKEN") if "softprops" in action else None
                    if not _default_token(token):
                        continue
                    loc = Loc(src, step.uses.start, step.uses.end)
                    yield _Release(
                        workflow, step, loc, step.action or action, "release", tag_pushed
                    )
                step_commands = commands.get(id(step))
                if step_commands is None:
                    continue  # no git or gh command: no release, tag or tag push
                for cmd in step_commands:
                    argv = cmd.argv()
                    if argv[:3] == ["gh", "release", "create"]:
                        if any(a in ("-d", "--draft") or a.startswith("--draft=") for a in argv):
                            continue
                        token_value = cmd.env.get("GH_TOKEN") or cmd.env.get("GITHUB_TOKEN")
                        if token_value is None or not _default_token(token_value.text):
                            continue
                        loc = Loc(src, cmd.args[0].loc.start, cmd.args[2].loc.end)
                        yield _Release(
                            workflow, step, loc, "gh release create", "release", tag_pushed
                        )
                    elif _git_push_tag(cmd, tags):
                        token = _checkout_token(job, step.index)
                        if token is None or _custom_remote(step) or not _default_token(token):
                            continue
                        loc = Loc(src, cmd.args[0].loc.start, cmd.args[1].loc.end)
                        yield _Release(workflow, step, loc, " ".join(argv[:2]), "tag")
                if _pushes_tags_with_own_token(job, step, step_commands, tags):
                    tag_pushed = True


def _release_triggers(workflow: Workflow) -> dict[str, str]:
    """The triggers that start ``workflow`` for a new release or tag: ``release`` and
    ``push`` of tags, with how they are written."""
    out: dict[str, str] = {}
    release = workflow.triggers.get("release")
    if "release" in workflow.triggers:
        types: set[str] = set()
        if isinstance(release, YMap):
            got = release.get("types")
            if isinstance(got, YSeq):
                types = {i.value for i in got.items if isinstance(i, YScalar)}
            elif isinstance(got, YScalar):
                types = {got.value}
        if not types or types & {"published", "created", "released", "prereleased"}:
            out["release"] = "release"
    if "push" in workflow.triggers:
        push = workflow.triggers.get("push")
        if push is None or (isinstance(push, YScalar) and push.is_null):
            out["tag"] = "push"
        elif isinstance(push, YMap) and (
            push.get("tags") is not None or push.get("tags-ignore") is not None
        ):
            out["tag"] = "push: tags"
    return out


def _publishers(model: ReleaseModel) -> dict[int, list[tuple[Workflow, Job | None, Step | None]]]:
    out: dict[int, list[tuple[Workflow, Job | None, Step | None]]] = {}
    for upload in model.uploads:
        for workflow, job, step in upload_workflows(model, upload):
            out.setdefault(id(workflow), []).append((workflow, job, step))
    return out


def _started_by(model: ReleaseModel, source: Workflow, target: Workflow) -> bool:
    """Whether ``source`` starts ``target`` in a way GITHUB_TOKEN allows: ``workflow_run``,
    a workflow dispatch naming it, or a repository dispatch."""
    if "workflow_run" in target.triggers and any(w is source for w in run_sources(model, target)):
        return True
    text = source.source.text or ""
    if "workflow_dispatch" in target.triggers and ("workflow run" in text or "ispatch" in text):
        basename = target.source.rel.rsplit("/", 1)[-1]
        name = target.root.get_str("name")
        quoted = name is not None and (f'"{name}"' in text or f"'{name}'" in text)
        if basename in text or quoted:
            return True
    return "repository_dispatch" in target.triggers and bool(
        re.search(r"repository[-_]dispatch|/dispatches\b", text)
    )


@register
class ReleaseWithGithubToken(Rule):
    """A workflow creates the release or tag with GITHUB_TOKEN, and the publish workflow
    waits for that release or tag.

    Events caused with the workflow's own `GITHUB_TOKEN` start no other workflow (only
    `workflow_dispatch` and `repository_dispatch` are exempt). A release made by
    `softprops/action-gh-release`, `ncipollo/release-action`, release-please,
    `actions/create-release` or `gh release create`, and a tag pushed with the credentials
    `actions/checkout` left behind, therefore never trigger a workflow that publishes
    `on: release` or `on: push: tags:`. There is no error: the release appears on GitHub
    and the package is silently not published (catalogue T-7; OpenDQV/OpenDQV#152).

    shiplint reports the release step when another workflow of the repository publishes
    (PyPI or Anaconda uploads, also through scripts and reusable workflows) on those
    events, unless the release step uses another token (`token:`, `GH_TOKEN`, checkout's
    `token:` from a secret or a GitHub App), creates a draft (published later by a person),
    the releasing workflow publishes itself, or it starts the publish workflow by
    `workflow_run`, a workflow dispatch or a repository dispatch. A release created with
    GITHUB_TOKEN for a tag that an earlier step of the same job pushed with another token
    (`git push --follow-tags` with the GitHub App or personal token actions/checkout kept)
    is reported only for publish workflows waiting for the `release` event: the tag push
    itself starts those waiting for tags.

    Fix: publish in the releasing workflow (a job that `needs:` the release job), or
    start the publish workflow explicitly (`gh workflow run publish.yml` with
    `on: workflow_dispatch` there), or create the release with a GitHub App token
    (actions/create-github-app-token) or a personal access token.
    """

    code = "SL921"
    name = "release-with-github-token"
    severity = Severity.WARNING
    summary = "Release/tag created with GITHUB_TOKEN never triggers the publish workflow"
    catalogue = ("T-7",)
    example_file = ".github/workflows/release.yml"
    before = (
        "# publish.yml publishes `on: release: types: [published]`\n"
        "on:\n  workflow_dispatch:\npermissions:\n  contents: write\n"
        "jobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: softprops/action-gh-release@v2\n"
        "        with:\n          tag_name: v${{ inputs.version }}\n"
    )
    after = (
        "# publish.yml publishes `on: release: types: [published]`\n"
        "on:\n  workflow_dispatch:\npermissions:\n  contents: write\n"
        "jobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/create-github-app-token@v2\n        id: app\n"
        "        with:\n          app-id: ${{ vars.RELEASE_APP_ID }}\n"
        "          private-key: ${{ secrets.RELEASE_APP_KEY }}\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: softprops/action-gh-release@v2\n"
        "        with:\n          tag_name: v${{ inputs.version }}\n"
        "          token: ${{ steps.app.outputs.token }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        publishers = _publishers(model)
        doc = str(facts_mod.toml_data()["github"]["token-events-doc"])
        for release in _releases(model):
            source = release.workflow
            if id(source) in publishers:
                continue
            waiting: list[str] = []
            for runs in publishers.values():
                target = runs[0][0]
                if target is source or not linked(target, source):
                    continue
                triggers = _release_triggers(target)
                wanted = {"release": ("release", "tag"), "tag": ("tag",)}[release.creates]
                if release.tag_pushed:
                    wanted = ("release",)  # the tag push by the other token starts them
                events = [k for k in wanted if k in triggers]
                if not events or set(events) & set(_release_triggers(source)):
                    # the event that started the releasing workflow starts this one too
                    continue
                reached = False
                for event in events:
                    facts = event_facts("release") if event == "release" else tag_push_facts()
                    if any(reaches(w, job, step, facts) for w, job, step in runs if w is target):
                        reached = True
                if not reached or _started_by(model, source, target):
                    continue
                how = " / ".join(f"on: {triggers[e]}" for e in events)
                waiting.append(f"`{target.source.rel}` ({how})")
            if not waiting:
                continue
            made = "creates the release" if release.creates == "release" else "pushes the tag"
            yield self.at(
                release.loc,
                f"`{release.what}` {made} with the default GITHUB_TOKEN, so "
                f"{', '.join(waiting)} never runs for it and nothing is published",
                "Events caused by GITHUB_TOKEN start no workflow, except workflow_dispatch "
                f"and repository_dispatch ({doc}). Publish from this workflow (a job that "
                "`needs:` this one), start the publish workflow explicitly (add "
                "`workflow_dispatch:` to it and run `gh workflow run <file>` here), or create "
                "the release with a GitHub App token (actions/create-github-app-token) or a "
                "personal access token passed as `token:`.",
            )
