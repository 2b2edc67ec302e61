"""Build front-end command lines: which tool a command runs to build distributions, and
what its arguments say.

* ``build_invocation``: the front-end a command runs (``python -m build``, ``pipx run build``,
  ``uvx build``, ``pyproject-build``, ``uv``/``hatch``/``pdm``/``poetry``/``flit build``,
  ``cibuildwheel``, ``maturin build``/``sdist``, ``pip wheel``, ``setup.py sdist``/
  ``bdist_wheel``) and the arguments of its build;
* ``build_outputs``: what a ``build`` front-end run writes (pypa/build's options:
  ``--outdir``/``-o``, ``--sdist``/``-s``, ``--wheel``/``-w``) and which source it builds;
* ``builds_root``: whether the arguments of any front-end build the project at the working
  directory (no ``--package``, ``--manifest-path`` of another crate, or sub-directory).

Shared by the rules that ask what a build step produces (SL703, through
``rules.artifact_files``) and which project it builds (SL721, ``rules.versioning.builds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, NamedTuple

from shiplint.pkg.upload_commands import program_name, skip_wrappers

if TYPE_CHECKING:
    from shiplint.model import Arg

#: ``build``: pypa/build (``python -m build``, ``pipx run build``, ``uvx build``,
#: ``pyproject-build``)
BUILD = "build"
WHEEL = "wheel"
SDIST = "sdist"

#: front-ends whose ``build`` subcommand builds distributions
_BUILD_SUBCOMMAND = ("uv", "hatch", "pdm", "poetry", "flit")

#: options of pypa/build that take a value
_BUILD_VALUE = {"--outdir", "-o", "--config-setting", "-C", "--installer", "--env-dir"}
#: options of pypa/build that take none
_BUILD_FLAGS = {
    "--sdist",
    "-s",
    "--wheel",
    "-w",
    "--no-isolation",
    "-n",
    "--skip-dependency-check",
    "-x",
    "--verbose",
    "-v",
    "-vv",
    "--quiet",
    "-q",
}

#: options of build front-ends (all of them) whose value is not the source directory
_VALUE_OPTIONS = {
    "-o",
    "--outdir",
    "--out-dir",
    "--out",
    "--output-dir",
    "-C",
    "--config-setting",
    "--config-settings",
    "--python",
    "-p",
    "--installer",
    "--only",
    "--platform",
    "--archs",
    "-w",
    "--wheel-dir",
    "-t",
    "--target",
    "-i",
    "--interpreter",
    "--features",
    "-F",
    "--compatibility",
    "--build-constraint",
    "-c",
    "--constraint",
    "--config-file",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--format",
    "--formats",
    "--dist-dir",
    "-d",
}
#: options that build another project than the one at the root (workspace members, manifests)
_OTHER_PROJECT_OPTIONS = {
    "--package",
    "--all-packages",
    "--all",
    "-m",
    "--manifest-path",
    "--project",
    "--directory",
}


class Invocation(NamedTuple):
    """A build front-end run: the tool (``BUILD`` for pypa/build, else the program name:
    ``uv``, ``cibuildwheel``, ``maturin``, ``pip``, ``setup.py`` ...) and the arguments of
    its build (after the ``build``/``wheel`` subcommand; none for ``setup.py``)."""

    tool: str
    args: list[str]


def build_invocation(args: list[Arg]) -> Invocation | None:
    """The build front-end ``args`` (one command) runs, past wrappers (``python -m``,
    ``pipx run``, ``uvx`` ...); None when it builds no distributions."""
    i = skip_wrappers(args)
    if i >= len(args):
        return None
    head = program_name(args[i].text)
    rest = [a.text for a in args[i + 1 :]]
    first = next((w for w in rest if not w.startswith("-")), "")
    after_first = rest[rest.index(first) + 1 :] if first else []
    if head == "build":
        return Invocation(BUILD, rest) if i > 0 else None  # python -m build, uvx build
    if head == "pyproject-build":
        return Invocation(BUILD, rest)
    if head in _BUILD_SUBCOMMAND:
        return Invocation(head, after_first) if first == "build" else None
    if head == "cibuildwheel":
        return None if "--print-build-identifiers" in rest else Invocation(head, rest)
    if head == "maturin":
        return Invocation(head, after_first) if first in ("build", "sdist") else None
    if head.startswith("pip") and first == "wheel":
        return Invocation("pip", after_first)
    if head.endswith("setup.py"):
        built = any(w in ("sdist", "bdist_wheel", "bdist") for w in rest)
        return Invocation("setup.py", []) if built else None
    return None


class BuildOutputs(NamedTuple):
    """What a pypa/build run writes: ``outdir`` as written (``dist`` by default), the kinds
    of distribution (``SDIST``, ``WHEEL``) and the source arguments it builds."""

    outdir: str
    kinds: frozenset[str]
    sources: tuple[str, ...]


def build_outputs(words: Sequence[str]) -> BuildOutputs | None:
    """Parse pypa/build's arguments (None: an option it does not know, or ``--outdir``
    without a value). The last ``--outdir`` wins; neither ``--sdist`` nor ``--wheel``
    builds both."""
    outdir = "dist"
    kinds: set[str] = set()
    sources: list[str] = []
    k = 0
    while k < len(words):
        word = words[k]
        name = word.split("=", 1)[0] if word.startswith("--") else word
        if name in ("--outdir", "-o"):
            value = word.split("=", 1)[1] if "=" in word else None
            if value is None:
                if k + 1 >= len(words):
                    return None
                value = words[k + 1]
                k += 1
            outdir = value
        elif word.startswith("-o") and len(word) > 2:
            outdir = word[2:]
        elif name in _BUILD_VALUE:
            k += 0 if "=" in word else 1
        elif word.startswith("-C"):
            pass  # -Ckey=value
        elif word in ("--sdist", "-s"):
            kinds.add(SDIST)
        elif word in ("--wheel", "-w"):
            kinds.add(WHEEL)
        elif word.startswith("-"):
            if word not in _BUILD_FLAGS:
                return None
        else:
            sources.append(word)
        k += 1
    return BuildOutputs(outdir, frozenset(kinds or {SDIST, WHEEL}), tuple(sources))


def builds_root(args: Sequence[str], names_subdir: Callable[[str], bool]) -> bool:
    """Whether front-end arguments build the project at the working directory: no option
    that selects another project (a workspace member, another ``--manifest-path``) and no
    positional argument that ``names_subdir`` (a project directory below it)."""
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        name = word.split("=", 1)[0]
        if name in _OTHER_PROJECT_OPTIONS:
            if name == "-m" or name == "--manifest-path":
                value = word.split("=", 1)[1] if "=" in word else ""
                if value and value.removeprefix("./") != "Cargo.toml":
                    return False
                skip = not value
                continue
            return False
        if word.startswith("-"):
            skip = word in _VALUE_OPTIONS
            continue
        if names_subdir(word):
            return False
    return True
