"""GitLab CI jobs of a pipeline (a `.gitlab-ci.yml` and the local files it includes, see
:mod:`.gitlab_include`), as far as publishing needs them: the id tokens a job requests
(`id_tokens:`, its own, from `extends:` templates or `default:`), the script text it runs,
the scripts and tasks that runs, and which uploads run in it.

GitLab gives a job an OIDC token only when it declares one under `id_tokens:`, in the
environment variable named by the entry's key, with the entry's `aud:` as its audience.
twine (>= 6.1, through the `id` package) and uv (through `ambient-id`) look for the token of
audience AUD in the variable `<AUD>_ID_TOKEN` (AUD upper-cased, every character other than
an ASCII letter or digit replaced by `_`): `PYPI_ID_TOKEN` for PyPI, whose audience is
`pypi`, `TESTPYPI_ID_TOKEN` for TestPyPI (`testpypi`). Sources: di/id@v1.6.1
`id/_internal/oidc/ambient.py` (`detect_gitlab`), astral-sh/ambient-id `src/gitlab.rs`,
pypa/twine@6.1.0 `twine/auth.py`, pypi/warehouse `docs/user/trusted-publishers/
using-a-publisher.md` ("GitLab CI/CD").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shiplint.model import Context, Credential, Loc, Value
from shiplint.model.calls import record_calls
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel, Upload
    from shiplint.model.gitlab_include import Pipeline
    from shiplint.parse.yamlnodes import YNode
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: top-level keys of a GitLab CI file that are not jobs
_GLOBAL_KEYS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    }
)
_SCRIPT_KEYS = ("script", "before_script", "after_script")
#: the upload tools that exchange a GitLab id token for a PyPI token themselves, each
#: reading `<AUD>_ID_TOKEN`: twine >= 6.1 and pdm >= 2.24 (through the `id` package's
#: `detect_credential`), uv (through `ambient-id`). maturin's `upload` only exchanges
#: GitHub Actions' token (PyO3/maturin@v1.14.1 `src/upload.rs`,
#: `resolve_pypi_token_via_oidc`: `GITHUB_ACTIONS`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN`);
#: pdm 2.6 to 2.23 did too (pdm-project/pdm@2.23.0 `publish/repository.py`), pdm 2.24.0
#: calls `id.detect_credential(audience)` (pdm@2.28.2 `src/pdm/cli/commands/publish/
#: repository.py`, `id>=1.5.0`; `detect_gitlab` since di/id v1.2.0).
OIDC_TOOLS = ("twine", "uv", "pdm")


def id_token_variable(audience: str) -> str:
    """The variable twine/uv/`id` read the GitLab id token of ``audience`` from
    (`id`'s `detect_gitlab`: non-alphanumerics to `_`, a leading digit too)."""
    name = "".join(c.upper() if c.isascii() and c.isalnum() else "_" for c in audience)
    if name[:1].isdigit():
        name = "_" + name[1:]
    return f"{name}_ID_TOKEN"


@dataclass(eq=False)
class IdToken:
    """One `id_tokens:` entry: the variable it fills and its audience(s) as written."""

    variable: str
    key: YScalar
    #: the file the entry is written in
    source: SourceFile
    #: the `aud:` values (one for a scalar, several for a list); empty when not written
    audiences: list[YScalar] = field(default_factory=list)
    aud_node: YNode | None = None


@dataclass(eq=False)
class GitLabJob:
    #: the file that defines the job (the top-level file or an included one)
    source: SourceFile
    name: str
    key: YScalar
    node: YMap
    pipeline: Pipeline
    id_tokens: dict[str, IdToken] = field(default_factory=dict)
    #: the script scalars the job runs (own, templates', `default:`'s), with their files
    scripts: list[tuple[SourceFile, YScalar]] = field(default_factory=list)
    #: `extends:` names no readable file of the pipeline defines
    unresolved: list[YScalar] = field(default_factory=list)
    #: literal `variables:` of the pipeline and the job, as the job's scripts see them
    env: dict[str, Value] = field(default_factory=dict)

    def text(self) -> str:
        """The job's text and that of every script it runs."""
        text = self.source.text or ""
        scripts = [s.value for _src, s in self.scripts]
        return "\n".join([text[self.node.start : self.node.end], *scripts])

    def runs(self, loc: Loc) -> bool:
        """Whether ``loc`` lies in one of the job's scripts."""
        return any(src is loc.source and s.start <= loc.start < s.end for src, s in self.scripts)

    @property
    def publisher(self) -> str:
        """The pipeline file PyPI's GitLab trusted publisher names: the top-level one."""
        return self.pipeline.source.rel

    @property
    def may_inherit_unseen(self) -> bool:
        """Whether part of the job may be in an include shiplint cannot read: a template it
        extends that no readable file defines, while the pipeline has such includes."""
        return bool(self.unresolved and self.pipeline.unseen)


def is_gitlab_ci(src: SourceFile) -> bool:
    return src.rel.rsplit("/", 1)[-1] == ".gitlab-ci.yml"


_Part = tuple["SourceFile", YMap]


def gitlab_jobs(pipeline: Pipeline) -> list[GitLabJob]:
    """The jobs of a GitLab CI pipeline, from all its readable files (hidden `.template`
    jobs left out)."""
    defaults = pipeline.definitions("default")
    global_env = _variables(pipeline.files)
    names: dict[str, None] = {}
    for _src, root in pipeline.files:
        names.update((n, None) for n, _k, _v in root.items())
    jobs = []
    for name in names:
        if name in _GLOBAL_KEYS or name.startswith("."):
            continue
        own = pipeline.definitions(name)
        if not own:
            continue
        chain, unresolved = _extends_chain(pipeline, own)
        if not any(m.get("script") is not None for _src, m in chain):
            continue  # not a job (a `trigger:` bridge, or something else)
        src, node = own[0]
        root = next(r for s, r in pipeline.files if s is src)
        key = next(k for _n, k, v in root.items() if v is node)
        job = GitLabJob(src, name, key, node, pipeline, unresolved=unresolved)
        # the job's own entries win over its templates' (deep merge); `default:`'s
        # id_tokens apply only when neither defines any
        has_own = any(m.get("id_tokens") is not None for _src, m in chain)
        for part_src, part in (chain if has_own else defaults)[::-1]:
            tokens = part.get_map("id_tokens")
            if tokens is not None:
                job.id_tokens.update(_id_tokens(part_src, tokens))
        for part_src, part in [*chain, *defaults]:
            for script_key in _SCRIPT_KEYS:
                job.scripts.extend((part_src, s) for s in _scalars(part.get(script_key)))
        job.env = {**global_env, **_variables(chain)}
        jobs.append(job)
    return jobs


def _variables(parts: list[_Part]) -> dict[str, Value]:
    """The literal `variables:` of ``parts`` (highest priority first)."""
    out: dict[str, Value] = {}
    for src, part in parts[::-1]:
        variables = part.get_map("variables")
        if variables is None:
            continue
        for name, _key, node in variables.items():
            # `NAME: value`, or `NAME: {value: ..., description: ...}`
            value = node.get("value") if isinstance(node, YMap) else node
            if isinstance(value, YScalar) and not value.is_null:
                out[name] = Value(value.value, Loc(src, value.start, value.end))
    return out


def _extends_chain(pipeline: Pipeline, own: list[_Part]) -> tuple[list[_Part], list[YScalar]]:
    """The job's definitions and the templates they extend (nearest first), each once; and
    the `extends:` names no readable file defines."""
    chain: list[_Part] = []
    unresolved: list[YScalar] = []
    todo = list(own)
    while todo:
        part = todo.pop(0)
        if any(part[1] is seen for _src, seen in chain) or len(chain) > 20:
            continue
        chain.append(part)
        for parent in _scalars(part[1].get("extends")):
            found = pipeline.definitions(parent.value)
            if not found:
                unresolved.append(parent)
            todo.extend(found)
    return chain, unresolved


def _scalars(node: YNode | None) -> list[YScalar]:
    if isinstance(node, YScalar):
        return [] if node.is_null else [node]
    if isinstance(node, YSeq):
        return [s for item in node.items for s in _scalars(item)]
    return []


def _id_tokens(src: SourceFile, tokens: YMap) -> dict[str, IdToken]:
    out = {}
    for name, key, value in tokens.items():
        aud = value.get("aud") if isinstance(value, YMap) else None
        out[name] = IdToken(name, key, src, _scalars(aud), aud)
    return out


def pipeline_calls(model: ReleaseModel, project: Project, jobs: list[GitLabJob]) -> None:
    """Record the scripts and tasks each job's commands run (``bash ci/upload.sh``,
    ``make release``) as calls from the job, so that their uploads are the job's."""
    for job in jobs:
        context = Context(origin="ci", label=job.name, gitlab_job=job)
        commands = [cmd for cmd in model.commands if job.runs(cmd.loc)]
        record_calls(model, project, commands, job.env, caller=context)


def link_gitlab_uploads(model: ReleaseModel, jobs: list[GitLabJob]) -> None:
    """Place each upload a GitLab job runs in that job (``upload.gitlab_job``): those of
    its own scripts, and those of the scripts and tasks it runs; and model an upload by a
    tool that exchanges GitLab id tokens (:data:`OIDC_TOOLS`), with no token, in a job
    whose id token for the index's audience fills the variable the tool reads, as trusted
    publishing."""
    for upload in model.uploads:
        job = upload.context.gitlab_job
        if job is None:
            job = next((j for j in jobs if j.runs(upload.loc)), None)
        if job is None or all(job is not j for j in jobs):
            continue
        upload.gitlab_job = job
        if upload.tool not in OIDC_TOOLS or upload.token_credentials or upload.oidc:
            continue
        audience = upload_audience(upload)
        token = job.id_tokens.get(id_token_variable(audience)) if audience else None
        if token is not None:
            upload.oidc = True
            loc = Loc(token.source, token.key.start, token.key.end)
            upload.credentials.append(Credential(via="oidc", loc=loc, name=token.variable))


def upload_audience(upload: Upload) -> str | None:
    """The OIDC audience of the index an upload goes to (`{index}/_/oidc/audience`):
    `pypi` for PyPI, `testpypi` for TestPyPI, None for another index."""
    from shiplint.pkg.upload_commands import index_of_url

    index = upload.index or "pypi"
    if upload.target is not None and "://" in upload.target.text:
        index = index_of_url(upload.target.text) or upload.target.text
    return index if index in ("pypi", "testpypi") else None
