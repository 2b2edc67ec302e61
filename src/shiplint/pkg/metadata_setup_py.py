"""The metadata setup.py declares: the literal keyword arguments of its ``setup(...)``
call, read from the syntax tree (never run), and the files an obvious long-description
expression reads (``open(...).read()``, ``Path(...).read_text()``, a helper that reads a
file, paths built from ``__file__``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from shiplint.model import Loc
from shiplint.pkg.metadata_types import Declared, Dependency, Readme, Text, requirement_items
from shiplint.source import Pos

if TYPE_CHECKING:
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: calls that open a file, and that make a path, in setup.py
_PY_OPEN = frozenset({"open", "io.open", "codecs.open"})
_PY_PATH = frozenset({"Path", "pathlib.Path", "PurePath", "pathlib.PurePath"})


def _offset(src: SourceFile, line: int, byte_col: int) -> int:
    """Character offset of an ``ast`` position (1-based line, UTF-8 byte column)."""
    text = src.line_text(line)
    col = len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
    return src.index(Pos(line, col + 1))


def _node_loc(src: SourceFile, node: ast.expr) -> Loc:
    start = _offset(src, node.lineno, node.col_offset)
    end_line = node.end_lineno if node.end_lineno is not None else node.lineno
    end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
    return Loc(src, start, max(start, _offset(src, end_line, end_col)))


def _py_text(src: SourceFile, node: ast.expr | None, key: str) -> Text | None:
    """A string literal: its body when written plainly, else the whole token."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    token = _node_loc(src, node)
    written = token.text
    value = node.value
    body = written.lstrip("rRuU")
    prefix = len(written) - len(body)
    for quote in ('"""', "'''", '"', "'"):
        q = len(quote)
        if len(body) >= 2 * q and body.startswith(quote) and body.endswith(quote):
            if body[q:-q] == value and "\\" not in value:
                start = token.start + prefix + q
                return Text(value, Loc(src, start, start + len(value)), key, token=token)
            break
    return Text(value, token, key, exact=False, token=token)


def _py_list(src: SourceFile, node: ast.expr | None, key: str) -> list[Text]:
    """The string literals of a list or tuple (computed items are skipped)."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    return [t for item in node.elts if (t := _py_text(src, item, key)) is not None]


def _py_requirements(src: SourceFile, node: ast.expr | None, key: str) -> list[Text]:
    """A requirement list: a list/tuple of strings or one string of lines."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = _py_text(src, node, key)
        if text is None or not text.exact:
            return []
        items = []
        offset = 0
        for line in text.value.split("\n"):
            stripped = line.strip()
            if stripped:
                at = text.loc.start + offset + (len(line) - len(line.lstrip()))
                loc = Loc(src, at, at + len(stripped))
                items.append(Text(stripped, loc, key, token=loc))
            offset += len(line) + 1
        texts = items
    else:
        texts = _py_list(src, node, key)
    return [t for t, _ in requirement_items([(t, False) for t in texts])]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.keywords:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            if isinstance(func, ast.Attribute):
                name = func.attr
            if name == "setup":
                return node
    return None


class _Module:
    """Module-level names of setup.py: single assignments, ``with open(...) as f``
    bindings and helper functions that read a file."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, list[ast.expr]] = {}
        self.opened: dict[str, ast.expr] = {}
        self.readers: set[str] = set()
        self._collect(tree.body)

    def _collect(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.value is not None:
                    self.assigned.setdefault(stmt.target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.With):
                for item in stmt.items:
                    var = item.optional_vars
                    if isinstance(var, ast.Name) and _is_open(item.context_expr):
                        self.opened[var.id] = item.context_expr
                self._collect(stmt.body)
            elif isinstance(stmt, (ast.If, ast.Try)):
                self._collect(stmt.body)
            elif isinstance(stmt, ast.FunctionDef) and (stmt.args.args or stmt.args.vararg):
                reads = any(
                    isinstance(n, ast.Call) and (_is_open(n) or _method(n) == "read_text")
                    for n in ast.walk(stmt)
                )
                if reads:
                    self.readers.add(stmt.name)

    def value(self, name: str) -> ast.expr | None:
        values = self.assigned.get(name, [])
        return values[0] if len(values) == 1 else None


def _is_open(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _dotted(node.func) in _PY_OPEN and bool(node.args)


def _method(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


#: calls that keep a path's folder: ``abspath(x)``, ``Path(x)``, ``x.resolve()`` ...
_PY_SAME = frozenset(
    {"os.path.abspath", "os.path.realpath", "os.path.normpath", "path.abspath", "path.realpath"}
)
_PY_FOLDER = frozenset({"os.path.dirname", "path.dirname", "dirname"})
_PY_CWD = frozenset({"os.getcwd", "Path.cwd", "pathlib.Path.cwd"})
_PY_JOIN = frozenset({"os.path.join", "path.join", "join"})


def _level(node: ast.expr, module: _Module, depth: int = 0) -> int | None:
    """How many folders up from setup.py itself ``node`` is: ``__file__`` is 0, its folder
    (``os.path.dirname(__file__)``, ``Path(__file__).parent``, ``os.getcwd()``) 1; None when
    it is not built from those."""
    if depth > 6:
        return None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return 0
        value = module.value(node.id)
        return _level(value, module, depth + 1) if value is not None else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _level(node.value, module, depth + 1)
        return None if inner is None else inner + 1
    if not isinstance(node, ast.Call):
        return None
    name = _dotted(node.func)
    if name in _PY_CWD and not node.args:
        return 1
    method = _method(node)
    if method in ("resolve", "absolute") and isinstance(node.func, ast.Attribute):
        return _level(node.func.value, module, depth + 1)
    if len(node.args) != 1:
        return None
    if name in _PY_FOLDER:
        inner = _level(node.args[0], module, depth + 1)
        return None if inner is None else inner + 1
    if name in _PY_SAME or name in _PY_PATH:
        return _level(node.args[0], module, depth + 1)
    return None


def _parts(nodes: list[ast.expr], module: _Module, depth: int) -> list[ast.Constant] | None:
    """Path components: an optional leading folder of setup.py, then string literals."""
    if nodes and _level(nodes[0], module) == 1:
        nodes = nodes[1:]
    out: list[ast.Constant] = []
    for node in nodes:
        found = _path(node, module, depth + 1)
        if found is None:
            return None
        out.extend(found)
    return out or None


def _path(node: ast.expr, module: _Module, depth: int = 0) -> list[ast.Constant] | None:
    """The literal components of a path relative to the folder of setup.py, when the
    expression is obvious: ``"README.md"``, ``here / "README.md"``,
    ``os.path.join(os.path.dirname(__file__), "docs", "README.md")`` ..."""
    if depth > 6:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _parts([node.left, node.right], module, depth)
    if isinstance(node, ast.Name):
        value = module.value(node.id)
        return _path(value, module, depth + 1) if value is not None else None
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        name = _dotted(node.func)
        if name in _PY_JOIN or name in _PY_PATH:
            return _parts(list(node.args), module, depth)
        if _method(node) == "joinpath" and isinstance(node.func, ast.Attribute):
            return _parts([node.func.value, *node.args], module, depth)
    return None


def _read_files(node: ast.expr, module: _Module, depth: int = 0) -> list[list[ast.Constant]] | None:
    """The files an obvious long-description expression reads (None: not obvious)."""
    if depth > 4:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _read_files(node.left, module, depth + 1)
        right = _read_files(node.right, module, depth + 1)
        if left is None and right is None:
            return None
        return (left or []) + (right or [])
    if isinstance(node, ast.Name):
        value = module.value(node.id)
        return _read_files(value, module, depth + 1) if value is not None else None
    if not isinstance(node, ast.Call):
        return None
    found: list[ast.Constant] | None = None
    method = _method(node)
    if method in ("read", "strip") and isinstance(node.func, ast.Attribute):
        inner = node.func.value
        if method == "strip":
            return _read_files(inner, module, depth + 1)
        if isinstance(inner, ast.Name) and inner.id in module.opened:
            inner = module.opened[inner.id]
        if isinstance(inner, ast.Call) and _is_open(inner):
            found = _path(inner.args[0], module)
    elif method == "read_text" and isinstance(node.func, ast.Attribute):
        found = _path(node.func.value, module)
    elif isinstance(node.func, ast.Name) and node.func.id in module.readers and node.args:
        found = _parts(list(node.args), module, 0)
    return [found] if found is not None else None


def _path_text(src: SourceFile, parts: list[ast.Constant], key: str) -> Text | None:
    """A file path made of literal components, as one ``Text`` (at its last component)."""
    texts = [_py_text(src, part, key) for part in parts]
    if any(t is None for t in texts) or not texts:
        return None
    last = texts[-1]
    assert last is not None
    if len(texts) == 1:
        return last
    value = "/".join(str(part.value).strip("/") for part in parts)
    return Text(value, last.loc, key, exact=False, token=last.token)


def from_setup_py(project: Project, src: SourceFile) -> Declared | None:
    tree = project.python_ast(src)
    if tree is None:
        return None
    call = _setup_call(tree)
    if call is None:
        return None
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    splat = any(kw.arg is None for kw in call.keywords)
    declared = Declared(src)
    declared.name = _py_text(src, kwargs.get("name"), "name")
    declared.version = _py_text(src, kwargs.get("version"), "version")
    declared.license_expression = _py_text(
        src, kwargs.get("license_expression"), "license_expression"
    )
    declared.requires_python = _py_text(src, kwargs.get("python_requires"), "python_requires")
    declared.classifiers = _py_list(src, kwargs.get("classifiers"), "classifiers")
    for text in _py_requirements(src, kwargs.get("install_requires"), "install_requires"):
        declared.dependencies.append(Dependency(text, "install_requires"))
    extras = kwargs.get("extras_require")
    if isinstance(extras, ast.Dict):
        for key_node, value_node in zip(extras.keys, extras.values):
            if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                label = f"extras_require[{key_node.value!r}]"
                for text in _py_requirements(src, value_node, label):
                    declared.dependencies.append(Dependency(text, label))
    declared.readme = _setup_py_readme(src, tree, kwargs, splat)
    return declared


def _setup_py_readme(
    src: SourceFile, tree: ast.Module, kwargs: dict[str, ast.expr], splat: bool
) -> Readme | None:
    ctype_node = kwargs.get("long_description_content_type")
    ctype = _py_text(src, ctype_node, "long_description_content_type")
    node = kwargs.get("long_description")
    if node is None:
        if ctype is None:
            return None
        return Readme("setup-py", ctype.loc, content_type=ctype)
    module = _Module(tree)
    readme = Readme("setup-py", _node_loc(src, node))
    for parts in _read_files(node, module) or []:
        text = _path_text(src, parts, "long_description")
        if text is not None:
            readme.files.append(text)
    readme.content_type = ctype
    readme.content_type_unknown = splat or (ctype_node is not None and ctype is None)
    readme.insert_at = readme.anchor.end
    return readme
