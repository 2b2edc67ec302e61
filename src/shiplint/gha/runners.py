"""The runners a GitHub Actions job runs on, and whether a step's ``if:`` keeps it off one.

``runners(job)`` gives one ``Runner`` per way the job can be placed: one per matrix value
that fills ``runs-on`` (``${{ matrix.os }}``), each combined with the literal labels of a
``runs-on`` list (``[self-hosted, linux, ARM64]`` is one runner). A runner knows its OS
(``runner.os``: ``Linux``, ``Windows``, ``macOS``; None when no label names it, e.g.
``runs-on: ${{ inputs.os }}``) and, where the labels say so, its architecture
(``runner.arch``: ``X64``/``ARM64``).

``step_may_run_on(runner, step)`` evaluates the job's and step's ``if:`` (gha.expr_eval, three
valued) with ``runner.os``, ``runner.arch`` and the matrix value of the leg known: False
only when the conditions certainly exclude that runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from shiplint.gha.conditions import Facts, Scenario
from shiplint.lazyre import LazyPattern
from shiplint.model.workflows import MATRIX_REF, matrix_values
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Value
    from shiplint.parse.yamlnodes import YNode

LINUX, WINDOWS, MACOS = "Linux", "Windows", "macOS"
X64, ARM64 = "X64", "ARM64"

#: When labels name several systems, the one reported (the most restrictive first).
_OS_ORDER = (WINDOWS, MACOS, LINUX)

# A system name, then the end, a digit or a separator: `windows-2022`, `macos-14`, `osx`.
_WINDOWS = LazyPattern(r"windows(?:$|[-_ .]|\d)")
_MACOS = LazyPattern(r"(?:macos|osx)(?:$|[-_ .]|\d)")
_LINUX = LazyPattern(r"ubuntu|linux(?:$|[-_ .])")
_HOSTED_X64 = LazyPattern(r"(?:ubuntu|windows)-")
_ARM_WORDS = frozenset({"arm64", "aarch64", "arm"})
_X64_WORDS = frozenset({"x64", "amd64", "x86_64"})


def label_os(text: str) -> str | None:
    """``runner.os`` a runner label implies: ``windows-2022`` → ``Windows``, ``macos-14`` /
    ``osx`` / ``mac`` → ``macOS``, ``ubuntu-*`` / ``linux`` → ``Linux``; None otherwise (and
    for labels still holding an expression)."""
    t = text.strip().lower()
    if "${{" in t:
        return None
    if _WINDOWS.match(t):
        return WINDOWS
    if _MACOS.match(t) or t == "mac":
        return MACOS
    if _LINUX.match(t):
        return LINUX
    return None


def label_arch(text: str) -> str | None:
    """``runner.arch`` a label names: ``ARM64`` for ``ARM64`` / ``ubuntu-24.04-arm``,
    ``X64`` for ``X64``; None when the label does not say."""
    t = text.strip().lower()
    if t in _ARM_WORDS or t.endswith(("-arm", "-arm64", "-aarch64")):
        return ARM64
    if t in _X64_WORDS or t.endswith(("-x64", "-amd64")):
        return X64
    return None


class Runner(NamedTuple):
    """One runner a job may get: the labels it asks for and what they imply.

    ``os``/``arch`` are None when the labels do not tell (an expression, a self-hosted
    runner without an architecture label, a macOS image whose architecture changes with
    ``-latest``). ``os_label``/``arch_label`` are the labels that tell them;
    ``matrix_label`` the label filled from the job's matrix, ``matrix_keys`` the keys
    (lowercased, dotted) it fills and ``matrix_value`` their value on this leg (not a fact
    when it is itself an expression).
    """

    labels: tuple[Value, ...]
    os: str | None = None
    arch: str | None = None
    os_label: Value | None = None
    arch_label: Value | None = None
    matrix_label: Value | None = None
    matrix_keys: tuple[str, ...] = ()
    matrix_value: str | None = None

    @property
    def from_matrix(self) -> bool:
        """Whether a label of this runner comes from the job's matrix (one leg of several)."""
        return self.matrix_label is not None

    def facts(self) -> Facts:
        """What ``if:`` conditions can know on this runner (``runner.*``, ``matrix.<key>``)."""
        facts: Facts = {}
        if self.os is not None:
            facts[("runner", "os")] = self.os
        if self.arch is not None:
            facts[("runner", "arch")] = self.arch
        if self.matrix_value is not None and "${{" not in self.matrix_value:
            for key in self.matrix_keys:
                path: tuple[str, ...] = ("matrix", *key.split("."))
                facts[path] = self.matrix_value
        return facts


def _label_scalars(node: YNode | None) -> list[YScalar]:
    """The scalars of ``runs-on``: the value, the list items, or ``labels:`` of a group."""
    if isinstance(node, YMap):
        node = node.get("labels")
    if isinstance(node, YScalar):
        return [node]
    if isinstance(node, YSeq):
        return [i for i in node.items if isinstance(i, YScalar)]
    return []


def _matrix_origin(job: Job, value: Value) -> tuple[str, str] | None:
    """(key, matrix value) of a label that ``${{ matrix.<key> }}`` in ``runs-on`` expanded."""
    if value.loc is None or job.node is None:
        return None
    strategy = job.node.get_map("strategy")
    matrix = strategy.get_map("matrix") if strategy is not None else None
    if matrix is None:
        return None
    for scalar in _label_scalars(job.runs_on_node):
        match = MATRIX_REF.search(scalar.value)
        if match is None:
            continue
        key = match.group(1)
        prefix, suffix = scalar.value[: match.start()], scalar.value[match.end() :]
        text = value.text
        if not (text.startswith(prefix) and text.endswith(suffix)):
            continue
        if any(m.start == value.loc.start for m in matrix_values(matrix, key)):
            return key.lower(), text[len(prefix) : len(text) - len(suffix)]
    return None


def _alternatives(job: Job) -> list[list[Value]]:
    """Label sets, one per runner: the labels written in ``runs-on`` together, plus each
    value the matrix fills in (the values of one matrix axis are alternatives)."""
    node = job.runs_on_node
    if node is None:
        return []
    if isinstance(node, YScalar):
        return [[v] for v in job.runs_on]
    inside = [v for v in job.runs_on if v.loc is not None and node.start <= v.loc.start < node.end]
    outside = [v for v in job.runs_on if not any(v is w for w in inside)]
    return [[*inside, v] for v in outside] if outside else [inside]


class Named(NamedTuple):
    """What one set of labels says: the system and architecture, and which labels (their
    index) say them."""

    os: str | None = None
    os_at: int | None = None
    arch: str | None = None
    arch_at: int | None = None


def describe(texts: Sequence[str]) -> Named:
    """``runner.os``/``runner.arch`` of a runner asked for with the labels ``texts`` (one
    ``runs-on`` set): the most restrictive system named, the first architecture named, and
    x64 for GitHub-hosted ``ubuntu-*``/``windows-*`` images not named ``-arm``."""
    os_name: str | None = None
    os_at: int | None = None
    arch: str | None = None
    arch_at: int | None = None
    self_hosted = False
    for index, text in enumerate(texts):
        found = label_os(text)
        if found is not None and (
            os_name is None or _OS_ORDER.index(found) < _OS_ORDER.index(os_name)
        ):
            os_name, os_at = found, index
        found_arch = label_arch(text)
        if found_arch is not None and arch_at is None:
            arch, arch_at = found_arch, index
        self_hosted = self_hosted or text.strip().lower() == "self-hosted"
    hosted_text = texts[os_at].strip().lower() if os_at is not None and not self_hosted else ""
    if arch is None and _HOSTED_X64.match(hosted_text):
        arch = X64
    return Named(os_name, os_at, arch, arch_at)


def runs_on_texts(job: Job) -> list[str]:
    """The ``runs-on`` labels of ``job`` as written (expressions not evaluated)."""
    return [scalar.value for scalar in _label_scalars(job.runs_on_node)]


def runners(job: Job) -> list[Runner]:
    """The runners ``job`` may run on: one per matrix leg of ``runs-on`` (or just one)."""
    out: list[Runner] = []
    for labels in _alternatives(job):
        named = describe([value.text for value in labels])
        matrix_label: Value | None = None
        origin: tuple[str, str] | None = None
        for value in labels:
            origin = _matrix_origin(job, value)
            if origin is not None:
                matrix_label = value
                break
        out.append(
            Runner(
                labels=tuple(labels),
                os=named.os,
                arch=named.arch,
                os_label=labels[named.os_at] if named.os_at is not None else None,
                arch_label=labels[named.arch_at] if named.arch_at is not None else None,
                matrix_label=matrix_label,
                matrix_keys=(origin[0],) if origin is not None else (),
                matrix_value=origin[1] if origin is not None else None,
            )
        )
    return out


def step_may_run_on(runner: Runner, step: Step) -> bool:
    """Whether ``step`` can run on ``runner``: False only when its job's or its own ``if:``
    (or a needed job's) certainly excludes that runner."""
    workflow = step.job.workflow
    if workflow is None:
        return True
    return Scenario(workflow, runner.facts()).step_can_run(step)
