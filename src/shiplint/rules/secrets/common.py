"""What the secrets rules share: ``secrets`` references in the expressions of a
scalar (:func:`secret_refs`, :func:`secrets_words`), the secrets a reusable workflow declares or
inherits, and how findings name an upload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.publishers import publisher_label
from shiplint.parse.yamlnodes import YScalar

if TYPE_CHECKING:
    from shiplint.model import Job, Upload, Workflow
    from shiplint.parse.yamlnodes import YNode
    from shiplint.source import SourceFile


_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# `secrets.NAME` / `secrets['NAME']`, not `steps.get-secrets.outputs` or `inputs.secrets`.
_SECRET_REF = LazyPattern(
    r"(?<![\w.-])secrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']+)'\s*\])"
)
_SECRETS_WORD = LazyPattern(r"(?<![\w.-])secrets\b")

#: secrets GitHub provides to every run, declared or not
ALWAYS_AVAILABLE = frozenset({"GITHUB_TOKEN"})


class SecretRef:
    """One ``secrets.NAME`` reference: the name and its span in the file."""

    __slots__ = ("end", "expr_start", "name", "source", "start")

    def __init__(
        self, source: SourceFile, name: str, start: int, end: int, expr_start: int
    ) -> None:
        self.source = source
        self.name = name
        self.start = start
        self.end = end
        self.expr_start = expr_start  # where the enclosing `${{` starts (or the reference)

    @property
    def loc(self) -> Loc:
        return Loc(self.source, self.start, self.end)


_STRING = LazyPattern(r"'(?:[^']|'')*'")


def _expression_regions(src: SourceFile, node: YNode, whole: bool) -> Iterator[tuple[int, str]]:
    """``(file offset, text)`` of the expression parts of a scalar as written, with the
    contents of string literals blanked (``'secrets'`` in a comparison is not the context).

    In ``if:`` values the whole text is an expression (``whole``); elsewhere only the
    ``${{ ... }}`` parts are evaluated.
    """
    written = (src.text or "")[node.start : node.end]
    if whole:
        parts = [(0, written)]
    else:
        parts = [(m.start(), m.group(0)) for m in _EXPR.finditer(written)]
    for at, text in parts:
        blank = _STRING.sub(lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", text)
        yield node.start + at, blank


def secret_refs(
    src: SourceFile, node: YNode, whole_expression: bool = False
) -> Iterator[SecretRef]:
    """``secrets.X`` references in a scalar (see :func:`_expression_regions`)."""
    text = src.text or ""
    for base, blank in _expression_regions(src, node, whole_expression):
        for match in _SECRET_REF.finditer(blank):
            start, end = base + match.start(), base + match.end()
            if match.group(1):
                name = match.group(1)
            else:  # secrets['NAME']: the name was blanked, read it from the file
                name = text[base + match.start(2) : base + match.end(2)]
            expr = start if whole_expression else base
            yield SecretRef(src, name, start, end, expr)


def secrets_words(src: SourceFile, node: YNode, whole_expression: bool = False) -> Iterator[int]:
    """File offsets of every use of the ``secrets`` context in a scalar (named or not)."""
    for base, blank in _expression_regions(src, node, whole_expression):
        for match in _SECRETS_WORD.finditer(blank):
            yield base + match.start()


def _did_you_mean(name: str, candidates: set[str]) -> str:
    import difflib  # only when a name is unknown

    close = difflib.get_close_matches(name.upper(), sorted(candidates), n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def _is_if(path: tuple[str | int, ...]) -> bool:
    return bool(path) and path[-1] == "if"


def _declared(workflow: Workflow) -> set[str] | None:
    block = workflow.call_secrets
    if block is None:
        return None
    return {name.upper() for name, _key, _value in block.items()}


def _inherits(job: Job) -> YScalar | None:
    secrets = job.secrets
    if isinstance(secrets, YScalar) and secrets.value.strip() == "inherit":
        return secrets
    return None


def _what(upload: Upload) -> str:
    """A short name for the upload (never its command line, which may hold a token)."""
    names = {
        "pypi-publish-action": "pypa/gh-action-pypi-publish with a token",
        "upload-nightly-action": "upload-nightly-action",
    }
    if upload.tool in names:
        return names[upload.tool]
    if upload.publisher is not None:
        return f"`{publisher_label(upload)}`"
    words = upload.loc.text.split()
    sub = words[-1] if words and words[-1] in ("upload", "publish", "register") else "upload"
    return f"`{upload.tool} {sub}`"
