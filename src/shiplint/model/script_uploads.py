"""Uploads written in shell text: the script file or ``run:`` block an upload command is
written in, with its control flow (:mod:`shiplint.parse.shell_flow`) placed in the file, and
the shell variable that chooses where the upload goes.

The upload-script rules (SL911-SL913) and the nightly cadence rule (SL914) share this view;
each text is read once per project (memoised on ``project.memo``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from shiplint.model import Loc
from shiplint.model.shell_dialects import step_dialect
from shiplint.model.shellblocks import identity
from shiplint.model.textmap import ScalarMap
from shiplint.parse.dialects import SCRIPT_KINDS, dialect_of_path
from shiplint.parse.shell_expand import variable_refs
from shiplint.parse.shell_flow import Link, Node, ShellFlow, parts

if TYPE_CHECKING:
    from shiplint.model import Step, Upload
    from shiplint.model.shellblocks import ToFile
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.project import Project
    from shiplint.source import SourceFile


class ScriptFlow(ShellFlow):
    """A shell text placed in its file: a script (``step`` None) or a workflow ``run:``
    block (``step`` the run step), read in its ``dialect``. ``to_file`` maps text offsets
    to file offsets."""

    def __init__(
        self, src: SourceFile, text: str, to_file: ToFile, step: Step | None, dialect: str = "sh"
    ) -> None:
        super().__init__(text, dialect)
        self.src = src
        self.to_file = to_file
        self.step = step
        self._spans: list[tuple[int, int, Node]] | None = None
        #: the spans' starts when they are sorted and do not overlap (bisect), else None
        self._starts: list[int] | None = None
        #: every assignment's route, by variable (:func:`target_routes`), made on first use
        self._routes: dict[str, list[Route]] | None = None
        #: each node's link in its list (:meth:`chain`), made on first use
        self._links: dict[int, Link] | None = None

    def loc(self, start: int, end: int) -> Loc:
        """The file location of text offsets ``start``-``end``."""
        file_start, file_end = self.to_file(start, end, 0)
        return Loc(self.src, file_start, file_end)

    def node_at(self, offset: int) -> Node | None:
        """The simple-command node whose file span holds file offset ``offset`` (the first
        in walk order; found by bisection when the spans do not overlap, the usual case)."""
        if self._spans is None:
            spans = []
            for node, _path in self.walk():
                if node.kind == "cmd" and node.cmd is not None:
                    loc = self.loc(node.cmd.start, node.cmd.end)
                    if loc.start < loc.end:  # an empty span holds no offset
                        spans.append((loc.start, loc.end, node))
            self._spans = spans
            ordered = all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
            self._starts = [start for start, _end, _node in spans] if ordered else None
        if self._starts is not None:
            at = bisect.bisect_right(self._starts, offset) - 1
            if at >= 0 and offset < self._spans[at][1]:
                return self._spans[at][2]
            return None
        for start, end, node in self._spans:
            if start <= offset < end:
                return node
        return None

    def chain(self, target: Node) -> list[Link] | None:
        """:func:`~shiplint.parse.shell_flow.chain_to` from the top of the flow to
        ``target``, from a table of every node's link made once (not a search per node)."""
        if self.nodes is None:
            return None
        if self._links is None:
            self._links = _links(self.nodes)
        link = self._links.get(id(target))
        if link is None:
            return None
        out = [link]
        while link[2] is not None:
            link = self._links[id(link[2])]
            out.append(link)
        out.reverse()
        return out


def _links(nodes: list[Node]) -> dict[int, Link]:
    """Each node's link (its list, its index there, the list's owner and branch), the first
    one :func:`~shiplint.parse.shell_flow.chain_to` would meet."""
    links: dict[int, Link] = {}
    todo: list[Link] = [(nodes, i, None, -1) for i in reversed(range(len(nodes)))]
    while todo:
        link = todo.pop()
        body, i, _container, _branch = link
        node = body[i]
        links.setdefault(id(node), link)
        below = [(part, j, node, index) for part, index in parts(node) for j in range(len(part))]
        todo.extend(reversed(below))
    return links


def script_flow(
    project: Project,
    src: SourceFile,
    scalar: YScalar | None,
    step: Step | None,
    dialect: str | None = None,
) -> ScriptFlow:
    """The flow of script ``src`` (``scalar`` None), of run block ``scalar`` of ``step``,
    or of the script item ``scalar`` of a CI file (``step`` None, read as ``dialect``)."""
    key = f"script_uploads.flow:{src.rel}:{scalar.start if scalar is not None else -1}"
    got = project.memo.get(key)
    if isinstance(got, ScriptFlow):
        return got
    if scalar is not None:
        if dialect is None:
            dialect = step_dialect(step) if step is not None else "sh"
        flow = ScriptFlow(src, scalar.value, ScalarMap(src, scalar).to_file, step, dialect)
    else:
        flow = ScriptFlow(src, src.text or "", identity, None, dialect_of_path(src.rel))
    project.memo[key] = flow
    return flow


def upload_flow(project: Project, upload: Upload) -> ScriptFlow | None:
    """The script file, ``run:`` block or CI script item an upload command is written in."""
    if upload.command is None:
        return None
    src = upload.source
    if src.kind in SCRIPT_KINDS.values():
        return script_flow(project, src, None, None)
    if upload.context.origin == "ci":
        at = upload.loc.start
        for source, scalar, dialect in project.model.ci_scripts:
            if source is src and scalar.start <= at < scalar.end:
                return script_flow(project, src, scalar, None, dialect)
        return None
    step = upload.context.step
    if (
        upload.context.origin in ("workflow", "action")
        and step is not None
        and step.run is not None
        and step.job.workflow is not None
        and step.job.workflow.source is src
    ):
        return script_flow(project, src, step.run, step)
    return None


def script_uploads(project: Project) -> Iterator[tuple[Upload, ScriptFlow, Node]]:
    """Every upload command in a script or ``run:`` block whose structure could be read,
    with its flow and its command node."""
    for upload in project.model.uploads:
        flow = upload_flow(project, upload)
        if flow is None or flow.nodes is None:
            continue
        node = flow.node_at(upload.loc.start)
        if node is not None:
            yield upload, flow, node


def upload_command_name(upload: Upload) -> str:
    """How users call the upload command: ``twine upload``, ``anaconda upload``, ``uv
    publish`` ..."""
    if upload.tool == "anaconda":
        return "anaconda upload"
    return f"{upload.tool} {'upload' if upload.tool == 'twine' else 'publish'}"


# --- where an upload goes ----------------------------------------------------------------------

#: the options that name an upload's destination, per tool
TARGET_OPTIONS: dict[str, tuple[str, ...]] = {
    "anaconda": ("-u", "--user"),
    "twine": ("-r", "--repository", "--repository-url"),
    "uv": ("--publish-url", "--index"),
    "hatch": ("-r", "--repo"),
    "flit": ("--repository",),
    "poetry": ("-r", "--repository"),
    "pdm": ("-r", "--repository"),
    "maturin": ("-r", "--repository", "--repository-url"),
}


class Route(NamedTuple):
    """One assignment of the target variable: the value, the condition that leads to it
    (as words for a message), the ``if``/``case`` node and branch it is in, where it is."""

    value: str
    label: str
    container: Node | None
    branch: int
    loc: Loc


def target_variable(upload: Upload) -> str | None:
    """The one variable the upload's destination option is written with (``-u "$ORG"``)."""
    for option in TARGET_OPTIONS.get(upload.tool, ()):
        arg = upload.options.get(option)
        if arg is None:
            continue
        refs = variable_refs(arg.raw)
        if len(refs) == 1:
            return refs[0]
    return None


def target_routes(flow: ScriptFlow, var: str) -> list[Route]:
    """Every assignment of ``var`` in ``flow`` with the innermost branch that makes it
    (the routes of every variable are found in one walk of the flow, kept on it)."""
    if flow._routes is None:
        flow._routes = _all_routes(flow)
    return list(flow._routes.get(var, ()))


def _all_routes(flow: ScriptFlow) -> dict[str, list[Route]]:
    routes: dict[str, list[Route]] = {}
    for node, path in flow.walk():
        if node.cmd is None:
            continue
        for name, word in node.cmd.assigns:
            container: Node | None = None
            branch = -1
            label = "by default"
            for holder, index in reversed(path):
                if holder.kind in ("if", "case") and index >= 0:
                    container, branch = holder, index
                    chosen = holder.branches[index]
                    if chosen.kind == "else":
                        label = "otherwise"
                    elif chosen.kind == "case":
                        label = f"for case `{chosen.label})`"
                    else:
                        label = f"when `{chosen.label}`"
                    break
            routes.setdefault(name, []).append(
                Route(word.text, label, container, branch, flow.loc(word.start, word.end))
            )
    return routes


def conditional_targets(project: Project, upload: Upload) -> list[str]:
    """Values a shell condition may give the upload's target (empty when not conditional)."""
    flow = upload_flow(project, upload)
    var = target_variable(upload)
    if flow is None or flow.nodes is None or var is None:
        return []
    return sorted({r.value for r in target_routes(flow, var)})
