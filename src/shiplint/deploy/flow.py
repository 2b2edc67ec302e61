"""The release-flow diagram: one Mermaid flowchart per root, for ``shiplint map --format
mermaid`` and the generated release docs (``shiplint docs --diagram``, checked by SL817).

Nodes, left to right: the file whose run starts an upload (a workflow, a CI file, a
``tox.ini`` or ``Makefile`` run by hand), its job (or tox env, make target, nox session),
the upload (tool and version, where it is written) and where it goes (PyPI, TestPyPI, an
Anaconda.org channel, another index). Edges carry the workflow's triggers (file → job), the
conditions (job → upload) and the credential (upload → index: trusted publishing or the
*name* of a secret, never a value). The diagram is drawn from the release inventory
(:mod:`shiplint.model.inventory`), so ``--format json`` holds everything it shows.

Every label is a ``"quoted"`` string whose characters Mermaid would read are written as its
entity codes (``#quot;``, ``#35;`` ...); node ids are generated (``f1``, ``j1``, ``u1``,
``d1``), so no name from a repository becomes Mermaid syntax.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shiplint.model.inventory import inventory
from shiplint.report.redact import scrub

if TYPE_CHECKING:
    from shiplint.project import Project

#: characters written as Mermaid entity codes inside a "quoted" label: the quote that ends
#: it, ``#`` (starts an entity), ``|`` (ends an edge label), HTML's ``< > &`` (labels are
#: HTML), a backtick (starts a Markdown string) and ``%`` (``%%`` starts a comment)
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "|": "#124;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "%": "#37;",
}
_MAX_LABEL = 80
_BREAK = "<br>"

_SHAPES = {"file": ('["', '"]'), "job": ('("', '")'), "upload": ('[/"', '"/]')}
_SHAPES["destination"] = ('[("', '")]')  # a cylinder: an index

_TASKS = {"tox": "tox env", "makefile": "make", "nox": "nox session", "pixi": "pixi task"}


def escape(text: str, limit: int | None = None) -> str:
    """``text`` as the inside of a Mermaid "quoted" label: one line (newlines and runs of
    white space become one blank, other control characters are dropped), at most ``limit``
    characters (cut with "…"), secrets scrubbed, Mermaid's characters as entity codes."""
    text = " ".join(scrub(text).split())
    text = "".join(ch for ch in text if ch >= " " and ch != "\x7f")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def credential_text(auth: list[dict[str, Any]]) -> str:
    """The credential of an upload, as an edge label: ``trusted publishing``,
    ``secret PYPI_TOKEN``, ``secure variable X``, ``literal token (redacted)`` ..."""
    parts: list[str] = []
    for cred in auth:
        kind = cred["kind"]
        if kind == "in-file":
            continue  # a user name written in the file (__token__): no credential
        if kind == "trusted-publishing":
            text = "trusted publishing"
        elif kind == "secret":
            text = f"secret {cred['secret']}"
        elif kind == "secure-variable":
            text = f"secure variable {cred['secret']}" if cred["secret"] else "secure value"
        elif kind == "literal":
            text = "literal token (redacted)"
        else:
            text = f"{cred['via']} {cred['name'] or ''}".rstrip() + " (source unknown)"
        if cred["username"] and kind != "trusted-publishing":
            text += " (user name)"
        if text not in parts:
            parts.append(text)
    return ", ".join(parts) or "no credential"


def _destination(dest: dict[str, str]) -> str:
    kind, name = dest["kind"], dest["name"]
    if kind == "anaconda":
        return f"Anaconda.org channel {name}"
    if kind in ("pypi", "testpypi"):
        return name
    if kind == "unknown":
        return "unknown index"
    return name  # an upload URL or a repository name (.pypirc, poetry)


def _job(up: dict[str, Any]) -> str | None:
    """The label of the job node, None when the file runs the upload itself."""
    if "job" in up:
        env = up.get("environment")
        return f"job {up['job']}" + (f", environment {env}" if env else "")
    if "gitlab_job" in up:
        return f"GitLab job {up['gitlab_job']['name']}"
    if up.get("label") and up["origin"] in _TASKS:
        return f"{_TASKS[up['origin']]} {up['label']}"
    return None  # a script or CI file that uploads itself


class _Graph:
    """Nodes (ids in order of first use, one per key) and edges (each pair once)."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[str, ...], str] = {}
        self.lines: list[str] = []
        self.edges: list[str] = []
        self.pairs: set[tuple[str, str]] = set()
        self.counts: dict[str, int] = {}

    def node(self, kind: str, key: tuple[str, ...], label: str) -> str:
        """The id of the node for ``key`` (``label``: already escaped)."""
        full = (kind, *key)
        if full in self.nodes:
            return self.nodes[full]
        self.counts[kind] = self.counts.get(kind, 0) + 1
        node_id = f"{kind[0]}{self.counts[kind]}"
        self.nodes[full] = node_id
        opening, closing = _SHAPES[kind]
        self.lines.append(f"  {node_id}{opening}{label}{closing}")
        return node_id

    def edge(self, a: str, b: str, label: str = "") -> None:
        if (a, b) in self.pairs:
            return
        self.pairs.add((a, b))
        self.edges.append(f'  {a} -->|"{label}"| {b}' if label else f"  {a} --> {b}")


def _file_of(location: str) -> str:
    """``path`` of ``path:line:col``."""
    parts = location.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0]
    return location


def diagram(inv: dict[str, Any], *, positions: bool = True) -> str:
    """The flowchart of one root's inventory (``flowchart LR`` ... with a final newline).

    ``positions=False`` (the release docs): uploads show their file, not line and column,
    and no tool version, so the diagram changes when the flow does, not on every edit.
    """
    graph = _Graph()
    for number, up in enumerate(inv["uploads"]):
        file_id = graph.node("file", (up["file"],), escape(up["file"]))
        start = file_id
        job = _job(up)
        if job is not None:
            start = graph.node("job", (up["file"], job), escape(job))
            triggers = up.get("triggers") or []
            graph.edge(file_id, start, escape("on: " + ", ".join(triggers)) if triggers else "")
        version = f" {up['version']}" if up["version"] and positions else ""
        where = up["location"] if positions else _file_of(up["location"])
        if "job" in up and up.get("label") and up["origin"] in _TASKS:
            where += f" ({_TASKS[up['origin']]} {up['label']})"  # a tox env the job runs
        label = escape(up["tool"] + version)
        if positions or where != up["file"]:  # (the docs: the file node says it already)
            label += _BREAK + escape(where)
        upload = graph.node("upload", (str(number),), label)
        conditions = [*up.get("conditions", []), *([up["condition"]] if up["condition"] else [])]
        when = escape("if: " + " and ".join(conditions), _MAX_LABEL) if conditions else ""
        graph.edge(start, upload, when)
        dest = _destination(up["destination"])
        target = graph.node("destination", (dest,), escape(dest))
        graph.edge(upload, target, escape(credential_text(up["auth"]), _MAX_LABEL))
    if not inv["uploads"]:
        graph.lines.append('  none["no uploads found"]')
    return "\n".join(["flowchart LR", *graph.lines, *graph.edges]) + "\n"


def render(inventories: list[dict[str, Any]]) -> str:
    """One diagram per root, each after a ``%% shiplint map: ROOT`` comment line (so that
    each block from such a line to the next is a Mermaid document of its own)."""
    blocks = []
    for inv in inventories:
        root = " ".join(str(inv["root"]).split())
        blocks.append(f"%% shiplint map: {root}\n{diagram(inv)}")
    return "\n".join(blocks)


def render_projects(projects: list[Project]) -> str:
    """``shiplint map --format mermaid``."""
    return render([inventory(p) for p in projects])


def docs_diagram(project: Project) -> str:
    """The release-flow diagram of the release docs (no positions, no versions, so it
    changes only when the flow does)."""
    return diagram(inventory(project), positions=False)
