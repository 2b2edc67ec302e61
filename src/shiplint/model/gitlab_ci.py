"""GitLab CI jobs of a `.gitlab-ci.yml`, as far as trusted publishing needs them: the id
tokens a job requests (`id_tokens:`, its own, from `extends:` templates or `default:`), the
script text it runs, and which uploads of the file run in it.

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

from shiplint.model import Credential, Loc
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel, Upload
    from shiplint.parse.yamlnodes import YNode
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
    #: the `aud:` values (one for a scalar, several for a list); empty when not written
    audiences: list[YScalar] = field(default_factory=list)
    aud_node: YNode | None = None


@dataclass(eq=False)
class GitLabJob:
    source: SourceFile
    name: str
    key: YScalar
    node: YMap
    id_tokens: dict[str, IdToken] = field(default_factory=dict)
    #: the script scalars the job runs (own, templates', `default:`'s)
    scripts: list[YScalar] = field(default_factory=list)

    def text(self) -> str:
        """The job's text and that of every script it runs."""
        text = self.source.text or ""
        return "\n".join([text[self.node.start : self.node.end]] + [s.value for s in self.scripts])


def is_gitlab_ci(src: SourceFile) -> bool:
    return src.rel.rsplit("/", 1)[-1] == ".gitlab-ci.yml"


def gitlab_jobs(src: SourceFile, root: YNode | None) -> list[GitLabJob]:
    """The jobs of a GitLab CI file (hidden `.template` jobs left out)."""
    if not isinstance(root, YMap):
        return []
    default = root.get_map("default")
    jobs = []
    for name, key, node in root.items():
        if name in _GLOBAL_KEYS or name.startswith(".") or not isinstance(node, YMap):
            continue
        chain = _extends_chain(root, node)
        if not any(m.get("script") is not None for m in chain):
            continue  # not a job (a `trigger:` bridge, or something else)
        job = GitLabJob(src, name, key, node)
        for part in ([default] if default is not None else []) + chain[::-1]:
            # the job's own entries win over its templates', theirs over `default:`'s
            tokens = part.get_map("id_tokens")
            if tokens is not None:
                job.id_tokens.update(_id_tokens(tokens))
        for part in [*chain, *([default] if default is not None else [])]:
            for script_key in _SCRIPT_KEYS:
                job.scripts.extend(_scalars(part.get(script_key)))
        jobs.append(job)
    return jobs


def _extends_chain(root: YMap, node: YMap) -> list[YMap]:
    """``node`` and the templates it extends (nearest first), each once."""
    chain: list[YMap] = []
    todo = [node]
    while todo:
        part = todo.pop(0)
        if any(part is seen for seen in chain) or len(chain) > 20:
            continue
        chain.append(part)
        extends = part.get("extends")
        for parent in _scalars(extends):
            found = root.get_map(parent.value)
            if found is not None:
                todo.append(found)
    return chain


def _scalars(node: YNode | None) -> list[YScalar]:
    if isinstance(node, YScalar):
        return [] if node.is_null else [node]
    if isinstance(node, YSeq):
        return [s for item in node.items for s in _scalars(item)]
    return []


def _id_tokens(tokens: YMap) -> dict[str, IdToken]:
    out = {}
    for name, key, value in tokens.items():
        aud = value.get("aud") if isinstance(value, YMap) else None
        out[name] = IdToken(name, key, _scalars(aud), aud)
    return out


def link_gitlab_uploads(model: ReleaseModel, src: SourceFile, root: YNode | None) -> None:
    """Place each upload of ``src`` in the GitLab job that runs it (``upload.gitlab_job``),
    and model a twine upload with no token, in a job whose id token PyPI's audience fills
    the variable twine reads, as trusted publishing."""
    jobs = gitlab_jobs(src, root)
    if not jobs:
        return
    for upload in model.uploads:
        if upload.loc.source is not src:
            continue
        upload.gitlab_job = next(
            (j for j in jobs if any(s.start <= upload.loc.start < s.end for s in j.scripts)),
            None,
        )
        job = upload.gitlab_job
        if job is None or upload.tool != "twine" or upload.token_credentials:
            continue
        audience = upload_audience(upload)
        token = job.id_tokens.get(id_token_variable(audience)) if audience else None
        if token is not None:
            upload.oidc = True
            loc = Loc(src, token.key.start, token.key.end)
            upload.credentials.append(Credential(via="oidc", loc=loc, name=token.variable))


def upload_audience(upload: Upload) -> str | None:
    """The OIDC audience of the index an upload goes to (`{index}/_/oidc/audience`):
    `pypi` for PyPI, `testpypi` for TestPyPI, None for another index."""
    from shiplint.pkg.upload_commands import index_of_url

    index = upload.index or "pypi"
    if upload.target is not None and "://" in upload.target.text:
        index = index_of_url(upload.target.text) or upload.target.text
    return index if index in ("pypi", "testpypi") else None
