"""The files of one GitLab CI pipeline: the top-level `.gitlab-ci.yml` and the local files
it includes, and the includes shiplint cannot read.

GitLab reads `include:` as a path (`include: 'ci/release.yml'`), a `local:` entry, or a list
of them; a local path is relative to the repository root (a leading `/` is optional) and
may use `*` (one folder level) and `**` (any depth) wildcards; included files may include
others. The files are merged in order and the including file overrides what it includes
(a job or template defined twice is deep-merged, the includer's keys winning). `remote:`
URLs, `project:` files of another repository, `template:`s, `component:`s and paths built
from variables are not in the repository: their jobs, templates and `default:` are unknown
here (:attr:`Pipeline.unseen`). Sources: GitLab docs `ci/yaml/_index.md` (`include`,
`include:local`: "You can use `*` and `**` wildcards"), `ci/yaml/includes.md` ("Override
included configuration values", "Use nested includes").

PyPI's GitLab trusted publisher names the top-level pipeline file (the `ci_config_ref_uri`
claim: `gitlab.com/OWNER/REPO//.gitlab-ci.yml@REF`), never an included one: pypi/warehouse
`warehouse/oidc/models/gitlab.py` (`_check_ci_config_ref_uri`) and
`docs/user/trusted-publishers/adding-a-publisher.md` ("the filepath of the top-level GitLab
CI/CD pipeline definition").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.parse.yamlnodes import YNode
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: GitLab's limit on the files one pipeline includes (nested ones too)
MAX_INCLUDES = 150
_UNREADABLE = ("remote", "project", "template", "component")


@dataclass(eq=False)
class Pipeline:
    """A pipeline's files, highest priority first: the top-level file, then the files it
    includes (a later include before an earlier one, an includer before what it
    includes); and the include entries whose files shiplint cannot read."""

    source: SourceFile
    files: list[tuple[SourceFile, YMap]] = field(default_factory=list)
    unseen: list[tuple[SourceFile, YNode]] = field(default_factory=list)

    def definitions(self, name: str) -> list[tuple[SourceFile, YMap]]:
        """Every definition of top-level key ``name`` (a job, a template, `default:`)
        with its file, highest priority first: GitLab deep-merges them."""
        out = []
        for src, root in self.files:
            node = root.get(name)
            if isinstance(node, YMap):
                out.append((src, node))
        return out

    def text(self) -> str:
        """The text of every file of the pipeline."""
        return "\n".join(src.text or "" for src, _root in self.files)


def read_pipeline(project: Project, src: SourceFile, root: YNode | None) -> Pipeline | None:
    """The pipeline whose top-level file is ``src`` (parsed as ``root``)."""
    if not isinstance(root, YMap):
        return None
    pipeline = Pipeline(src)
    merged: list[tuple[SourceFile, YMap]] = []  # merge order: lowest priority first
    _include(project, pipeline, src, root, merged, {src.rel})
    pipeline.files = merged[::-1]
    return pipeline


def _include(
    project: Project,
    pipeline: Pipeline,
    src: SourceFile,
    root: YMap,
    merged: list[tuple[SourceFile, YMap]],
    seen: set[str],
) -> None:
    for entry in _entries(root.get("include")):
        rels = _local_paths(project, entry)
        if rels is None:
            pipeline.unseen.append((src, entry))
            continue
        if not rels:
            pipeline.unseen.append((src, entry))  # a missing file: GitLab stops the pipeline
        for rel in rels:
            if rel in seen or len(seen) > MAX_INCLUDES:
                continue
            seen.add(rel)
            included = project.file(rel, "ci")
            doc = project.yaml(included) if included is not None else None
            if included is None or doc is None or not isinstance(doc.root, YMap):
                pipeline.unseen.append((src, entry))
                continue
            _include(project, pipeline, included, doc.root, merged, seen)
    merged.append((src, root))


def _entries(node: YNode | None) -> list[YNode]:
    if isinstance(node, YSeq):
        return [item for item in node.items if not (isinstance(item, YScalar) and item.is_null)]
    if node is None or (isinstance(node, YScalar) and node.is_null):
        return []
    return [node]


def _local_paths(project: Project, entry: YNode) -> list[str] | None:
    """The repository files a local include names ([] when none exists); None when the
    entry is not a local file shiplint can read."""
    if isinstance(entry, YScalar):
        path = entry.value.strip()
        if "://" in path:
            return None  # `include: https://...` is a remote include
    elif isinstance(entry, YMap):
        if any(entry.get(key) is not None for key in _UNREADABLE):
            return None
        local = entry.get_scalar("local")
        if local is None or local.is_null:
            return None
        path = local.value.strip()
    else:
        return None
    path = path.lstrip("/")
    if not path or "$" in path or path.startswith("../") or "/../" in path:
        return None
    if "*" not in path:
        return [path] if project.peek(path).kind == "file" else []
    return _wildcard(project, path)


def _wildcard(project: Project, path: str) -> list[str]:
    """The files a wildcard local include matches, in GitLab's terms: `*` within one
    folder, `**` across folders (`ci/**.yml`: every `.yml` under `ci/`, `ci/**/*.yml`:
    only those in its sub-folders)."""
    pattern = re.compile(
        "".join(
            ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
            for part in re.split(r"(\*\*|\*)", path)
        )
    )
    glob = re.sub(r"\*\*(?!/)", "**/*", path)
    return [rel for rel in project.glob([glob]) if pattern.fullmatch(rel)]
