"""The source layout stays readable: few root modules, no long module, every package described."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "shiplint"
MAX_ROOT_MODULES = 12
MAX_MODULE_LINES = 700


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_root_holds_few_modules() -> None:
    root = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(root) <= MAX_ROOT_MODULES, sorted(root)


def test_no_module_is_long() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_every_package_and_root_module_is_described() -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(
        p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name != "__pycache__"
    )
    missing = [name for name in packages if f"**`{name}/`**" not in doc]
    assert missing == []
    root = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert [name for name in root if f"`{name}`" not in doc] == []
    # and nothing described that no longer exists
    described = set(re.findall(r"\*\*`([a-z_]+)/`\*\*", doc))
    assert described <= set(packages)


def test_every_module_says_what_it_holds() -> None:
    bare = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if p.name != "__main__.py" and not p.read_text(encoding="utf-8").lstrip().startswith('"""')
    ]
    assert bare == []


def test_tests_find_the_shared_corpus_relative_to_the_repository() -> None:
    offenders = [
        str(p.relative_to(REPO))
        for folder in ("tests", "benchmarks")
        for p in (REPO / folder).rglob("*.py")
        if re.search(r"[\"']/work/", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
