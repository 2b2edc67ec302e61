"""Speed-ups must not change results: worker processes, released projects, memoised parses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shiplint import engine
from shiplint.cli import main
from shiplint.config import Config, ConfigError, load_config
from shiplint.engine import Options, RootResult, audit, configuration
from shiplint.gha import expr_parse

from .conftest import CORPUS, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

RELEASE_WF = """\
name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    if: github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')
    steps:
      - uses: actions/checkout@v4
      - run: |
          python -m build
          twine upload -u __token__ -p "$PYPI_TOKEN" dist/*
        env:
          PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""


def _roots(tmp_path: Path) -> list[str]:
    roots = []
    for i in range(5):
        root = tmp_path / f"r{i}"
        files = {".github/workflows/release.yml": RELEASE_WF.replace("release", f"release{i}")}
        if i % 2:
            files["tox.ini"] = "[testenv:release]\ncommands = twine upload dist/*\n"
        write_tree(root, files)
        roots.append(str(root))
    for name in ("broken", "fixed"):
        shutil.copytree(EXAMPLES / name, tmp_path / name)
        roots.append(str(tmp_path / name))
    return roots


def _essence(results: list[RootResult]) -> list[Any]:
    out: list[Any] = []
    for result in results:
        out.append((result.root, len(result.project.files), result.fail_on))
        for f in result.findings:
            fix = None if f.fix is None else (f.fix.description, f.fix.edits, f.fix.safe)
            out.append(
                (f.rule, f.severity, f.root, f.path, f.line, f.column, f.message, f.help, fix)
            )
    return out


PYPROJECTS = {
    "plain": '[project]\nname = "x"\nversion = "1"\n',
    "configured": '[project]\nname = "x"\n[tool.shiplint]\nignore = ["SL101"]\n',
    "quoted": '[tool."shiplint"]\nfail-on = "error"\n',
    "escaped": '[tool."\\u0073hiplint"]\nfail-on = "error"\n',
    "broken": "[project\nname = 1\n",
    "not a table": 'tool = {shiplint = "x"}\n',
    "unknown key": "[tool.shiplint]\nnope = 1\n",
}


@pytest.mark.parametrize("case", sorted(PYPROJECTS))
def test_configuration_is_load_config(tmp_path: Path, case: str) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECTS[case], encoding="utf-8")

    def outcome(read: Any) -> Any:
        try:
            return read(tmp_path)
        except ConfigError as exc:
            return str(exc)

    assert outcome(configuration) == outcome(load_config)
    if case in ("quoted", "escaped"):
        assert outcome(configuration) != Config()
    (tmp_path / "shiplint.toml").write_text('fail-on = "info"\n', encoding="utf-8")
    assert outcome(configuration) == outcome(load_config) != Config()


def test_configuration_of_special_roots(tmp_path: Path) -> None:
    assert configuration(tmp_path) == load_config(tmp_path) == Config()  # no pyproject.toml
    (tmp_path / "pyproject.toml").mkdir()
    assert configuration(tmp_path) == load_config(tmp_path)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the audits that really went through worker processes."""
    if not engine._can_fork():
        pytest.skip("worker processes need Linux and a single-threaded process")
    calls: list[int] = []
    forked = engine._audit_forked

    def spy(
        paths: list[str], options: Options, workers: int, progress: Any = None
    ) -> list[RootResult]:
        calls.append(workers)
        return forked(paths, options, workers, progress)

    monkeypatch.setattr(engine, "_audit_forked", spy)
    return calls


def test_workers_give_the_serial_results(tmp_path: Path, forks: list[int]) -> None:
    roots = _roots(tmp_path)
    serial = audit(roots, Options(), jobs=1)
    assert any(r.findings for r in serial)
    for jobs in (2, 3):
        assert _essence(audit(roots, Options(), jobs=jobs, release=True)) == _essence(serial)
    assert forks == [2, 3]


def test_workers_raise_the_first_error_in_path_order(tmp_path: Path, forks: list[int]) -> None:
    roots = _roots(tmp_path)
    for bad, word in ((1, "first"), (3, "second")):
        (Path(roots[bad]) / "shiplint.toml").write_text(f"{word} = [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as serial:
        audit(roots, Options(), jobs=1)
    with pytest.raises(ConfigError) as forked:
        audit(roots, Options(), jobs=2)
    assert str(forked.value) == str(serial.value)
    assert "r1" in str(serial.value)
    assert forks == [2]


def test_roots_of_a_dead_worker_are_audited_again(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    roots = _roots(tmp_path)
    serial = audit(roots, Options(), jobs=1)
    parent = os.getpid()
    real = engine.audit_root

    def dying(path: str, options: Options) -> RootResult:
        if os.getpid() != parent:
            os._exit(3)  # a worker that crashes on its first root
        return real(path, options)

    monkeypatch.setattr(engine, "audit_root", dying)
    assert _essence(audit(roots, Options(), jobs=2)) == _essence(serial)
    assert forks == [2]


def test_released_project_recomputes_the_same_views(tmp_path: Path) -> None:
    roots = _roots(tmp_path)
    result = audit(roots[:1], Options())[0]
    project = result.project
    wf = project.by_rel[".github/workflows/release.yml"]
    before = (project.yaml(wf), len(project.model.uploads), len(project.model.commands))
    project.release()
    assert project.memo == {}
    after = (project.yaml(wf), len(project.model.uploads), len(project.model.commands))
    assert after[0] is not before[0]  # parsed again ...
    assert after[1:] == before[1:]  # ... to the same model
    assert before[1] > 0


def test_cli_jobs_option_does_not_change_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], forks: list[int]
) -> None:
    roots = _roots(tmp_path)
    reports = []
    for jobs in ("1", "2"):
        for fmt in ("text", "json"):
            code = main(["check", "--color", "never", "-j", jobs, "--format", fmt, *roots])
            reports.append((jobs, fmt, code, capsys.readouterr().out))
    assert reports[0][2:] == reports[2][2:]
    assert reports[1][2:] == reports[3][2:]
    assert reports[0][2] == 1
    assert forks == [2, 2]


def test_cli_rejects_a_bad_jobs_value(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "-j", "0"])
    assert "positive number" in capsys.readouterr().err


def test_version_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from shiplint.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('shiplint.engine', 'shiplint.rules', 'ruamel.yaml', 'tomllib',\n"
        "         'packaging', 'argparse') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "shiplint " in out
    assert "HEAVY []" in out


def test_expression_parses_are_shared() -> None:
    text = "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')"
    first = expr_parse.parse(text)
    assert first is not None
    assert expr_parse.parse(text) is first  # memoised: one tree per text ...
    assert expr_parse.parse.__wrapped__(text) == first  # ... equal to a fresh parse
    assert isinstance(first, tuple)  # trees are tuples all the way down: sharing is safe

    def immutable(node: object) -> bool:
        if isinstance(node, tuple):
            return all(immutable(part) for part in node)
        return node is None or isinstance(node, (str, float, bool, int))

    assert immutable(first)


@pytest.mark.slow
@pytest.mark.skipif(not (CORPUS / "real-repos").is_dir(), reason="corpus not available")
def test_corpus_report_is_the_same_with_workers() -> None:
    roots = sorted(str(p) for p in (CORPUS / "real-repos").iterdir() if p.is_dir())
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    outputs = []
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "shiplint", "check", "--format", "json", "-j", jobs, *roots],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
