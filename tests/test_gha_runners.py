"""gha_runners: the runners of a job (matrix legs, label lists) and ``if:`` against them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiplint.engine import open_project
from shiplint.gha.runners import (
    ARM64,
    LINUX,
    MACOS,
    WINDOWS,
    X64,
    Runner,
    label_arch,
    label_os,
    runners,
    step_may_run_on,
)
from shiplint.model import Job, Step
from tests.conftest import write_tree

WF = ".github/workflows/ci.yml"


def job_of(tmp_path: Path, text: str, job_id: str = "build") -> Job:
    write_tree(tmp_path, {WF: text})
    [workflow] = open_project(str(tmp_path)).model.workflows
    return workflow.jobs[job_id]


def summary(found: list[Runner]) -> list[tuple[str | None, str | None, str | None]]:
    """(os, arch, matrix value) of each runner."""
    return [(r.os, r.arch, r.matrix_value) for r in found]


def may_run(job: Job, step: Step) -> list[bool]:
    return [step_may_run_on(r, step) for r in runners(job)]


def workflow(runs_on: str, matrix: str = "", condition: str = "") -> str:
    strategy = f"    strategy:\n      matrix:\n{matrix}" if matrix else ""
    guard = f"        if: {condition}\n" if condition else ""
    return (
        "on: push\njobs:\n  build:\n"
        f"    runs-on: {runs_on}\n{strategy}"
        "    steps:\n      - run: echo build\n"
        f"      - name: publish\n{guard}        run: echo publish\n"
    )


# --- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "os_name"),
    [
        ("ubuntu-latest", LINUX),
        ("ubuntu-24.04-arm", LINUX),
        ("linux", LINUX),
        ("Linux", LINUX),
        ("windows-2022", WINDOWS),
        ("windows-11-arm", WINDOWS),
        ("Windows", WINDOWS),
        ("macos-14", MACOS),
        ("macOS", MACOS),
        ("osx-arm64", MACOS),
        ("mac", MACOS),
        ("self-hosted", None),
        ("ARM64", None),
        ("windowsfoo", None),
        ("${{ matrix.os }}", None),
        ("${{ inputs.runner }}", None),
    ],
)
def test_label_os(label: str, os_name: str | None) -> None:
    assert label_os(label) == os_name


@pytest.mark.parametrize(
    ("label", "arch"),
    [
        ("ARM64", ARM64),
        ("arm", ARM64),
        ("ubuntu-24.04-arm", ARM64),
        ("windows-11-arm", ARM64),
        ("X64", X64),
        ("ubuntu-latest", None),
        ("macos-14", None),
        ("self-hosted", None),
    ],
)
def test_label_arch(label: str, arch: str | None) -> None:
    assert label_arch(label) == arch


# --- runners -----------------------------------------------------------------------------------


def test_one_runner_per_matrix_leg(tmp_path: Path) -> None:
    text = workflow("${{ matrix.os }}", "        os: [ubuntu-latest, windows-2022, macos-14]\n")
    found = runners(job_of(tmp_path, text))
    assert summary(found) == [
        (LINUX, X64, "ubuntu-latest"),
        (WINDOWS, X64, "windows-2022"),
        (MACOS, None, "macos-14"),  # macOS architecture depends on the image: unknown
    ]
    assert all(r.from_matrix and r.matrix_keys == ("os",) for r in found)
    # each OS label is the matrix value where it is written
    windows = found[1].os_label
    assert windows is not None and windows.loc is not None
    assert windows.loc.text == "windows-2022" and windows.loc.pos.line == 7
    assert windows is found[1].matrix_label


def test_matrix_value_inside_a_longer_label(tmp_path: Path) -> None:
    text = workflow(
        "${{ matrix.os }}-latest", "        os: [ubuntu, windows]\n", "matrix.os == 'windows'"
    )
    job = job_of(tmp_path, text)
    found = runners(job)
    assert [(r.os, r.matrix_value) for r in found] == [(LINUX, "ubuntu"), (WINDOWS, "windows")]
    assert [v.text for v in found[0].labels] == ["ubuntu-latest"]
    assert may_run(job, job.steps[1]) == [False, True]


def test_include_entries_and_dotted_keys(tmp_path: Path) -> None:
    # pypa/hatch: `runs-on: ${{ matrix.job.os }}` with a list of job tables
    matrix = (
        "        job:\n"
        "          - {target: x86_64-pc-windows-msvc, os: windows-2022}\n"
        "          - {target: aarch64-apple-darwin, os: macos-14}\n"
        "        include:\n"
        "          - job: {target: aarch64-unknown-linux-gnu, os: ubuntu-24.04-arm}\n"
    )
    text = workflow("${{ matrix.job.os }}", matrix, "startsWith(matrix.job.os, 'macos-')")
    job = job_of(tmp_path, text)
    found = runners(job)
    assert summary(found) == [
        (WINDOWS, X64, "windows-2022"),
        (MACOS, None, "macos-14"),
        (LINUX, ARM64, "ubuntu-24.04-arm"),
    ]
    assert found[0].matrix_keys == ("job.os",)
    assert may_run(job, job.steps[1]) == [False, True, False]


def test_label_list_is_one_runner(tmp_path: Path) -> None:
    job = job_of(tmp_path, workflow("[self-hosted, macOS, ARM64]"))
    [runner] = runners(job)
    assert (runner.os, runner.arch, runner.from_matrix) == (MACOS, ARM64, False)
    assert runner.os_label is not None and runner.os_label.text == "macOS"
    assert runner.arch_label is not None and runner.arch_label.text == "ARM64"
    assert [v.text for v in runner.labels] == ["self-hosted", "macOS", "ARM64"]
    # a self-hosted runner without an architecture label: unknown, not X64
    for runs_on in ("[self-hosted, linux]", "linux", "[self-hosted, windows]"):
        [runner] = runners(job_of(tmp_path, workflow(runs_on)))
        assert runner.os is not None and runner.arch is None, runs_on


def test_matrix_item_in_a_label_list(tmp_path: Path) -> None:
    text = workflow('[self-hosted, linux, "${{ matrix.arch }}"]', "        arch: [X64, ARM64]\n")
    job = job_of(tmp_path, text)
    found = runners(job)
    assert summary(found) == [(LINUX, X64, "X64"), (LINUX, ARM64, "ARM64")]
    assert [[v.text for v in r.labels] for r in found] == [
        ["self-hosted", "linux", "X64"],
        ["self-hosted", "linux", "ARM64"],
    ]
    assert all(r.os_label is not None and r.os_label.text == "linux" for r in found)
    assert found[1].arch_label is found[1].matrix_label


def test_runner_group_labels(tmp_path: Path) -> None:
    text = workflow("{group: large, labels: [windows-2022]}")
    assert summary(runners(job_of(tmp_path, text))) == [(WINDOWS, X64, None)]


def test_expressions_it_cannot_resolve_give_an_unknown_os(tmp_path: Path) -> None:
    for runs_on, matrix in (
        ("${{ inputs.os }}", ""),
        ("${{ matrix.os }}", "        os: ${{ fromJSON(needs.setup.outputs.os) }}\n"),
        ("${{ matrix.runs-on || matrix.os }}", "        os: [windows-latest]\n"),
    ):
        text = workflow(runs_on, matrix, "runner.os == 'Linux' && matrix.os == 'ubuntu-latest'")
        job = job_of(tmp_path, text)
        [runner] = runners(job)
        assert (runner.os, runner.arch) == (None, None), runs_on
        assert runner.facts() == {}, runs_on
        # nothing is known, so the condition cannot exclude it
        assert step_may_run_on(runner, job.steps[1]), runs_on


def test_no_runs_on(tmp_path: Path) -> None:
    text = "on: push\njobs:\n  build:\n    uses: ./.github/workflows/other.yml\n"
    assert runners(job_of(tmp_path, text)) == []


# --- conditions --------------------------------------------------------------------------------

OSES = "        os: [ubuntu-latest, windows-latest, macos-14, ubuntu-24.04-arm]\n"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # (ubuntu-latest, windows-latest, macos-14, ubuntu-24.04-arm)
        ("runner.os == 'Linux'", [True, False, False, True]),
        ("runner.os == 'linux'", [True, False, False, True]),  # comparisons ignore case
        ("runner.os != 'Windows'", [True, False, True, True]),
        ("runner.os == 'Linux' || runner.os == 'macOS'", [True, False, True, True]),
        ("${{ runner.os == 'Windows' || matrix.os == 'macos-14' }}", [False, True, True, False]),
        ("${{ !startsWith(matrix.os, 'windows') }}", [True, False, True, True]),
        ("startsWith(matrix.os, 'ubuntu')", [True, False, False, True]),
        ("contains(matrix.os, 'arm')", [False, False, False, True]),
        (
            "matrix.os == 'ubuntu-latest' && github.event_name == 'push'",
            [True, False, False, False],
        ),
        # X64 for GitHub's ubuntu/windows images, ARM64 for `-arm`; macos-14 unknown
        ("runner.arch == 'ARM64'", [False, False, True, True]),
        ("runner.arch == 'X64' && runner.os == 'Linux'", [True, False, False, False]),
        # conditions on other things never exclude a runner
        ("startsWith(github.ref, 'refs/tags/')", [True, True, True, True]),
        ("matrix.python == '3.12'", [True, True, True, True]),
        ("runner.name == 'big-box'", [True, True, True, True]),
    ],
)
def test_conditions_against_each_leg(tmp_path: Path, condition: str, expected: list[bool]) -> None:
    job = job_of(tmp_path, workflow("${{ matrix.os }}", OSES, condition))
    assert may_run(job, job.steps[1]) == expected
    assert may_run(job, job.steps[0]) == [True] * 4  # no `if:`


def test_job_condition_and_needed_jobs(tmp_path: Path) -> None:
    text = (
        "on: push\njobs:\n  gate:\n    if: false\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo\n"
        "  build:\n    needs: gate\n    runs-on: windows-latest\n"
        "    steps:\n      - run: echo\n"
    )
    job = job_of(tmp_path, text)
    assert may_run(job, job.steps[0]) == [False]
