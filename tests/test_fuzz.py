"""Fuzzing the whole audit: generated repositories go through ``audit_root`` and every report.

Each example writes a small repository (structured GitHub workflows, composite actions,
shell scripts, pyproject.toml, tox.ini/tox.toml, setup.cfg, setup.py, noxfile.py,
Makefile, .pypirc; then randomly mutated, or plain random bytes) and checks that the audit
never crashes (no exception, no SL005 internal-error finding), that every finding points
inside its file, and that every output format and the fix planner handle the result.

The default test run draws a few examples per test. The dedicated run draws
``SHIPLINT_FUZZ_EXAMPLES`` examples for each of the five tests; at least 100,000 inputs::

    SHIPLINT_FUZZ_EXAMPLES=20000 python -m pytest -p no:cacheprovider tests/test_fuzz.py

(about an hour on one CPU; ``-k`` selects tests, so the five can run in parallel).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from shiplint.config import ConfigError
from shiplint.engine import Options, RootResult, audit_root
from shiplint.fix import plan
from shiplint.report import github, json_, sarif, statistics, text

EXAMPLES = int(os.environ.get("SHIPLINT_FUZZ_EXAMPLES", "30"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

TODAY = dt.date(2026, 11, 21)

# --- building blocks -------------------------------------------------------------------------

PYPI_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDU1ZTVjYjE2LWZhYzQtNGE3Ny1iZjEzLWQ1NTQ3OTk3YjU2OA"
WORDS = [
    "dist/*",
    "dist/*.whl",
    "wheelhouse/*.whl",
    "__token__",
    "$TOKEN",
    "${TOKEN}",
    "${{ secrets.PYPI_API_TOKEN }}",
    "${{ secrets.ANACONDA_TOKEN }}",
    "${{ env.ORG }}",
    "${{ matrix.os }}",
    "${{ inputs.token }}",
    "$ANACONDA_ORG",
    "scientific-python-nightly-wheels",
    "scipy-wheels-nightly",
    "multibuild-wheels-staging",
    "https://upload.pypi.org/legacy/",
    "https://test.pypi.org/legacy/",
    "https://pypi.python.org/pypi",
    "https://pypi.anaconda.org/scientific-python-nightly-wheels/simple",
    "testpypi",
    PYPI_TOKEN,
    "hunter2",
    "{posargs}",
    "{env:TWINE_PASSWORD}",
    "{[testenv]deps}",
    "'quoted word'",
    '"double $QUOTED"',
    "$(git describe --tags)",
    "`date`",
    "~/.pypirc",
    "*.tar.gz",
    "",
]
COMMANDS = [
    "twine upload {w}",
    "twine upload -u __token__ -p {w} {w}",
    "python -m twine upload --repository-url {w} {w}",
    "twine upload --skip-existing -r {w} {w}",
    "twine check {w}",
    "anaconda upload {w}",
    "anaconda -t {w} upload --user {w} --force {w}",
    "anaconda upload -t {w} --skip {w}",
    "anaconda --token {w} upload -u {w} {w}",
    "uv publish {w}",
    "uv publish --token {w} --publish-url {w}",
    "uv build",
    "hatch publish -u __token__ -a {w}",
    "hatch build",
    "poetry publish --build -u {w} -p {w}",
    "poetry publish -r {w}",
    "poetry config pypi-token.pypi {w}",
    "poetry config repositories.{w} {w}",
    "flit publish",
    "pdm publish --password {w}",
    "python setup.py sdist upload",
    "python setup.py register",
    "python -m build",
    "pip install {w}",
    "pip install anaconda-client==1.12.1",
    "pip install --index-url {w} {w}",
    "conda install -c {w} anaconda-client",
    "export TWINE_PASSWORD={w}",
    "export ANACONDA_ORG={w}",
    "TWINE_USERNAME=__token__ TWINE_PASSWORD={w} twine upload {w}",
    "ANACONDA_API_TOKEN={w} anaconda upload {w}",
    "UV_PUBLISH_TOKEN={w} uv publish",
    "FLIT_PASSWORD={w} flit publish",
    "set -e",
    "set -euxo pipefail",
    "set +e",
    "cd dist && twine upload *",
    "bash scripts/release.sh",
    "source tools/upload.sh {w}",
    "./tools/upload.sh",
    "make release",
    "tox -e release",
    "nox -s release",
    "gh release create {w}",
    "git tag {w} && git push --tags",
    "echo {w} | anaconda login --password-stdin",
    "if [ -n {w} ]; then twine upload {w}; fi",
    'if [[ "$IS_PUSH" == "true" ]]; then export ANACONDA_ORG={w}; else exit 0; fi',
    "for f in {w}; do anaconda upload $f; done",
    "cat > ~/.pypirc <<EOF\n[pypi]\nusername = __token__\npassword = {w}\nEOF",
    "f() { twine upload {w}; }",
    "twine upload {w} \\\n  --verbose",
    "$(echo {w})",
    "echo '{w}' > x",
    "# comment {w}",
]
ACTIONS = [
    "pypa/gh-action-pypi-publish@release/v1",
    "pypa/gh-action-pypi-publish@v1",
    "pypa/gh-action-pypi-publish@master",
    "pypa/gh-action-pypi-publish@v1.4.2",
    "pypa/gh-action-pypi-publish@v1.12.4",
    "pypa/gh-action-pypi-publish@unstable/v1",
    "pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc",
    "pypa/gh-action-pypi-publish@76f52bc",
    "pypa/gh-action-pypi-publish",
    "scientific-python/upload-nightly-action@0.6.4",
    "scientific-python/upload-nightly-action@main",
    "scientific-python/upload-nightly-action@82396a2ed4269ba06c6b2988bb4fd568ef3c3d6b",
    "actions/checkout@v4",
    "actions/upload-artifact@v3",
    "actions/upload-artifact@v4",
    "actions/download-artifact@v4",
    "actions/download-artifact@v2",
    "actions/setup-python@v5",
    "conda-incubator/setup-miniconda@v3",
    "softprops/action-gh-release@v2",
    "./.github/actions/publish",
    "./",
    "docker://python:3.12",
    "./.github/workflows/reusable.yml",
]
WITH_KEYS = [
    "password",
    "user",
    "repository-url",
    "repository_url",
    "packages-dir",
    "packages_dir",
    "attestations",
    "skip-existing",
    "verbose",
    "artifacts_path",
    "anaconda_nightly_upload_token",
    "anaconda_nightly_upload_organization",
    "name",
    "path",
    "pattern",
    "merge-multiple",
    "fetch-depth",
    "python-version",
    "token",
]
EXPRESSIONS = [
    "github.event_name == 'push'",
    "github.event_name == 'release' && github.event.action == 'published'",
    "startsWith(github.ref, 'refs/tags/')",
    "github.repository == 'numpy/numpy'",
    "github.event.pull_request.head.repo.fork == false",
    "always()",
    "success() && !cancelled()",
    "needs.build.outputs.upload == 'true'",
    "${{ github.event_name != 'pull_request' }}",
    "contains(github.event.head_commit.message, '[wheel build]')",
    "fromJSON(env.UPLOAD)",
    "env.ORG == 'scipy-wheels-nightly'",
    "secrets.PYPI_API_TOKEN != ''",
    "inputs.publish",
    "matrix.os == 'ubuntu-latest'",
    "github.ref_type == 'tag' || github.event_name == 'workflow_dispatch'",
    "(",
    "'unterminated",
    "a[",
    "true",
    "false",
]
RUNNERS = [
    "ubuntu-latest",
    "windows-latest",
    "macos-14",
    "${{ matrix.os }}",
    "[self-hosted, linux]",
]
TRIGGERS = [
    "push",
    "pull_request",
    "pull_request_target",
    "release",
    "workflow_dispatch",
    "workflow_call",
    "schedule",
    "workflow_run",
    "merge_group",
]
JOB_IDS = ["build", "test", "publish", "upload", "release", "deploy", "nightly", "wheels"]
ENV_NAMES = [
    "TWINE_PASSWORD",
    "TWINE_USERNAME",
    "TWINE_REPOSITORY_URL",
    "ANACONDA_ORG",
    "ANACONDA_API_TOKEN",
    "TOKEN",
    "UPLOAD",
    "UV_PUBLISH_TOKEN",
    "PYPI_TOKEN",
    "CIBW_BUILD",
    "ORG",
]
JUNK = st.sampled_from(
    [*":-[]{}#&*!|>'\"%@`,?=\n\t\\ $()<;", "\r\n", "\ufeff", "\u2028", "\x85", "é", "\U0001f600"]
)


def scalar() -> st.SearchStrategy[str]:
    """Mostly realistic values, sometimes odd text (control characters come from JUNK)."""
    return st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(WORDS),
        st.sampled_from(WORDS),
        st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=12),
    )


@st.composite
def shell_line(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(COMMANDS))
    while "{w}" in template:
        template = template.replace("{w}", draw(st.sampled_from(WORDS)), 1)
    return template


@st.composite
def shell_script(draw: st.DrawFn, max_lines: int = 8) -> str:
    lines = draw(st.lists(shell_line(), min_size=1, max_size=max_lines))
    if draw(st.booleans()):
        lines.insert(0, "#!/bin/bash")
    return "\n".join(lines) + "\n"


_PLAIN_UNSAFE = re.compile(r"^[\s*&!%@`'\"{\[|>#,?:-]|: | #|[\x00-\x1f\x7f-\x9f\ud800-\udfff]|\s$")


def yaml_quote(value: str, style: int) -> str:
    """A YAML scalar for ``value``: plain when that is safe, double- or single-quoted, or
    (style 3) written as it is, which is often invalid YAML."""
    if style == 0 and value and not _PLAIN_UNSAFE.search(value):
        return value
    if style in (0, 1):
        quoted = json.dumps(value, ensure_ascii=False)
        return re.sub(r"[\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", quoted)
    if style == 2:
        return "'" + value.replace("'", "''").replace("\n", "\n\n") + "'"
    return value.replace("\n", " ")


STYLE = st.sampled_from([0, 0, 0, 1, 1, 2, 2, 3])


def yaml_block(value: str, indent: int) -> str:
    pad = " " * indent
    body = "".join(pad + line + "\n" for line in value.splitlines() or [""])
    return "|\n" + body


@st.composite
def step(draw: st.DrawFn, indent: int) -> str:
    pad = " " * indent
    lines: list[str] = []
    first = True

    def key(name: str, value: str) -> None:
        nonlocal first
        lines.append((pad + "- " if first else pad + "  ") + f"{name}: {value}")
        first = False

    if draw(st.booleans()):
        key("name", yaml_quote(draw(scalar()), draw(STYLE)))
    if draw(st.booleans()):
        key("uses", draw(st.sampled_from(ACTIONS)))
        entries = draw(
            st.dictionaries(st.sampled_from(WITH_KEYS), scalar(), min_size=0, max_size=4)
        )
        if entries:
            key("with", "")
            for name, value in entries.items():
                lines.append(f"{pad}    {name}: {yaml_quote(value, draw(STYLE))}")
    else:
        script = draw(shell_script())
        if draw(st.booleans()):
            key("run", yaml_block(script, indent + 4).rstrip("\n"))
        else:
            one_line = " ; ".join(script.strip().splitlines())
            key("run", yaml_quote(one_line, draw(STYLE)))
        if draw(st.booleans()):
            key("shell", draw(st.sampled_from(["bash", "sh", "pwsh", "bash -l {0}", "python"])))
    if draw(st.booleans()):
        key("if", yaml_quote(draw(st.sampled_from(EXPRESSIONS)), draw(STYLE)))
    if draw(st.booleans()):
        env = draw(st.dictionaries(st.sampled_from(ENV_NAMES), scalar(), max_size=3))
        key("env", "{}" if not env else "")
        for name, value in env.items():
            lines.append(f"{pad}    {name}: {yaml_quote(value, draw(STYLE))}")
    if draw(st.booleans()):
        key("id", draw(st.sampled_from(["pub", "build", "x"])))
    if not lines:
        key("run", "echo")
    return "\n".join(lines) + "\n"


@st.composite
def job(draw: st.DrawFn, job_id: str, others: list[str]) -> str:
    out = [f"  {job_id}:\n"]
    if draw(st.integers(0, 6)) == 0:
        out.append(f"    uses: {draw(st.sampled_from(ACTIONS))}\n")
        if draw(st.booleans()):
            out.append("    secrets: inherit\n")
        elif draw(st.booleans()):
            out.append(f"    secrets:\n      token: {draw(st.sampled_from(WORDS)) or 'x'}\n")
        if draw(st.booleans()):
            out.append(f"    with:\n      publish: {draw(st.sampled_from(['true', 'x', '']))}\n")
        return "".join(out)
    out.append(f"    runs-on: {draw(st.sampled_from(RUNNERS))}\n")
    if draw(st.booleans()) and others:
        needs = draw(st.lists(st.sampled_from([*others, "missing"]), max_size=3))
        out.append(f"    needs: [{', '.join(needs)}]\n")
    if draw(st.booleans()):
        out.append(f"    if: {yaml_quote(draw(st.sampled_from(EXPRESSIONS)), 0)}\n")
    if draw(st.booleans()):
        env_name = draw(st.sampled_from(["pypi", "release", "testpypi", "nightly"]))
        if draw(st.booleans()):
            out.append(f"    environment: {env_name}\n")
        else:
            url = draw(st.sampled_from(WORDS))
            out.append(f"    environment:\n      name: {env_name}\n      url: {url or 'x'}\n")
    if draw(st.booleans()):
        perms = draw(
            st.sampled_from(
                ["write-all", "read-all", "{}", "\n      id-token: write", "\n      id-token: read"]
            )
        )
        out.append(f"    permissions: {perms}\n")
    if draw(st.booleans()):
        oses = ", ".join(draw(st.lists(st.sampled_from(RUNNERS[:3]), min_size=1, max_size=3)))
        out.append(f"    strategy:\n      matrix:\n        os: [{oses}]\n")
    if draw(st.booleans()):
        out.append("    outputs:\n      upload: ${{ steps.pub.outputs.upload }}\n")
    steps = draw(st.lists(step(6), min_size=0, max_size=5))
    out.append("    steps:\n" + "".join(steps) if steps else "    steps: []\n")
    return "".join(out)


@st.composite
def workflow(draw: st.DrawFn) -> str:
    triggers = draw(st.lists(st.sampled_from(TRIGGERS), min_size=1, max_size=3, unique=True))
    head = ""
    if draw(st.booleans()):
        head += f"name: {yaml_quote(draw(scalar()), draw(STYLE))}\n"
    if draw(st.booleans()):
        head += f"on: [{', '.join(triggers)}]\n"
    else:
        head += "on:\n"
        for trigger in triggers:
            if trigger == "push":
                head += "  push:\n    tags: ['v*']\n    branches: [main]\n"
            elif trigger == "release":
                head += "  release:\n    types: [published]\n"
            elif trigger == "schedule":
                head += "  schedule:\n    - cron: '0 3 * * 1'\n"
            elif trigger == "workflow_call":
                head += (
                    "  workflow_call:\n    inputs:\n      publish:\n        type: boolean\n"
                    "    secrets:\n      token:\n        required: false\n"
                )
            else:
                head += f"  {trigger}:\n"
    if draw(st.booleans()):
        env = draw(st.dictionaries(st.sampled_from(ENV_NAMES), scalar(), max_size=3))
        if env:
            head += "env:\n" + "".join(
                f"  {k}: {yaml_quote(v, draw(STYLE))}\n" for k, v in env.items()
            )
    if draw(st.booleans()):
        head += "permissions:\n  contents: read\n"
    ids = draw(st.lists(st.sampled_from(JOB_IDS), min_size=1, max_size=4, unique=True))
    jobs = "".join(draw(job(job_id, [o for o in ids if o != job_id])) for job_id in ids)
    return head + "jobs:\n" + jobs


@st.composite
def composite_action(draw: st.DrawFn) -> str:
    steps = draw(st.lists(step(4), min_size=1, max_size=4))
    return (
        "name: publish\ninputs:\n  token:\n    required: true\n"
        "runs:\n  using: composite\n  steps:\n" + "".join(steps)
    )


def toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


@st.composite
def pyproject(draw: st.DrawFn) -> str:
    out = []
    if draw(st.booleans()):
        backend = draw(
            st.sampled_from(
                [
                    ("setuptools>=61", "setuptools.build_meta"),
                    ("setuptools==40.8.0", "setuptools.build_meta:__legacy__"),
                    ("hatchling", "hatchling.build"),
                    ("hatchling<1.26", "hatchling.build"),
                    ("flit_core >=3.2,<4", "flit_core.buildapi"),
                    ("poetry-core>=1.0.0", "poetry.core.masonry.api"),
                    ("pdm-backend", "pdm.backend"),
                    ("setuptools_scm[toml]>=6.2", "setuptools.build_meta"),
                    ("maturin>=1", "maturin"),
                ]
            )
        )
        out.append(
            f"[build-system]\nrequires = [{toml_string(backend[0])}]\n"
            f"build-backend = {toml_string(backend[1])}\n"
        )
    if draw(st.booleans()):
        out.append("[project]\n")
        out.append(
            f"name = {toml_string(draw(st.sampled_from(['pkg', 'my_pkg', 'a.b', '-x', ''])))}\n"
        )
        if draw(st.booleans()):
            out.append('dynamic = ["version"]\n')
        else:
            version = draw(st.sampled_from(["1.0", "1.0.0+local", "v1", "2024.1.1.dev0", "x"]))
            out.append(f"version = {toml_string(version)}\n")
        if draw(st.booleans()):
            license_ = draw(st.sampled_from(["MIT", "MIT OR Apache-2.0", "GPL", "BSD 3"]))
            out.append(f"license = {toml_string(license_)}\n")
        if draw(st.booleans()):
            classifiers = draw(
                st.lists(
                    st.sampled_from(
                        [
                            "License :: OSI Approved :: MIT License",
                            "Private :: Do Not Upload",
                            "Programming Language :: Python :: 3",
                            "Not a classifier",
                        ]
                    ),
                    max_size=3,
                )
            )
            out.append(f"classifiers = {json.dumps(classifiers)}\n")
        if draw(st.booleans()):
            spec = draw(st.sampled_from([">=3.9", ">3", "3.8", ">=3.9,", "~=3"]))
            out.append(f"requires-python = {toml_string(spec)}\n")
        if draw(st.booleans()):
            deps = draw(
                st.lists(st.sampled_from(["numpy>=1", "requests[", "a @ b", "x"]), max_size=3)
            )
            out.append(f"dependencies = {json.dumps(deps)}\n")
        if draw(st.booleans()):
            out.append('readme = {file = "README.md", content-type = "text/x-rst"}\n')
    if draw(st.booleans()):
        out.append('[tool.setuptools_scm]\nlocal_scheme = "node-and-date"\n')
    if draw(st.booleans()):
        env = draw(st.sampled_from(["release", "publish", "py"]))
        line = draw(shell_line())
        out.append(
            f"[tool.tox]\nenv_list = [{toml_string(env)}]\n\n[tool.tox.env.{env}]\n"
            f"commands = [[{', '.join(toml_string(w) for w in line.split())}]]\n"
            f"pass_env = [{toml_string(draw(st.sampled_from(ENV_NAMES)))}]\n"
        )
    if draw(st.integers(0, 4)) == 0:
        out.append(
            "[tool.shiplint]\n"
            f"ignore = [{toml_string(draw(st.sampled_from(['SL101', 'use-trusted-publishing', 'x'])))}]\n"
        )
        if draw(st.booleans()):
            out.append(
                '[tool.shiplint.deploy.pypi]\nindex = "pypi"\nauth = "token"\n'
                f"secret = {toml_string(draw(st.sampled_from(['PYPI_API_TOKEN', 'X', ''])))}\n"
                f"account = {toml_string(draw(scalar()))}\n"
                'email-verified = "2026-01-01"\nmaintainers = ["a", "b"]\n'
            )
    return "\n".join(out)


@st.composite
def ini_file(draw: st.DrawFn, sections: list[str]) -> str:
    out = []
    for name in draw(st.lists(st.sampled_from(sections), min_size=1, max_size=4)):
        out.append(f"[{name}]")
        keys = draw(
            st.lists(
                st.sampled_from(
                    [
                        "commands",
                        "deps",
                        "set_env",
                        "setenv",
                        "passenv",
                        "pass_env",
                        "skip_install",
                        "allowlist_externals",
                        "username",
                        "password",
                        "repository",
                        "index-servers",
                        "name",
                        "version",
                        "install_requires",
                        "classifiers",
                        "python_requires",
                        "envlist",
                        "env_list",
                    ]
                ),
                max_size=4,
            )
        )
        for key in keys:
            if key in ("commands", "set_env", "setenv", "deps") and draw(st.booleans()):
                lines = draw(st.lists(shell_line(), min_size=1, max_size=3))
                if key in ("set_env", "setenv"):
                    lines = [f"{draw(st.sampled_from(ENV_NAMES))} = {w}" for w in lines]
                out.append(f"{key} =\n" + "".join(f"    {line}\n" for line in lines).rstrip("\n"))
            else:
                out.append(f"{key} = {draw(st.sampled_from(WORDS))}")
    return "\n".join(out) + "\n"


@st.composite
def setup_py(draw: st.DrawFn) -> str:
    args = draw(
        st.lists(
            st.sampled_from(
                [
                    "name='pkg'",
                    "version='1.0'",
                    "version=get_version()",
                    "classifiers=['Private :: Do Not Upload']",
                    "license='MIT'",
                    "python_requires='>=3.8'",
                    "install_requires=['numpy>=1', 'bad[']",
                    "**kwargs",
                    "use_scm_version=True",
                    "long_description=open('README.md').read()",
                ]
            ),
            max_size=5,
        )
    )
    return "from setuptools import setup\n\nsetup(" + ", ".join(args) + ")\n"


@st.composite
def noxfile(draw: st.DrawFn) -> str:
    calls = []
    for line in draw(st.lists(shell_line(), min_size=1, max_size=3)):
        words = ", ".join(json.dumps(w) for w in line.split())
        env = draw(st.sampled_from(["", ", env={'TWINE_PASSWORD': 'x'}", ", external=True"]))
        calls.append(f"    session.run({words}{env})\n")
    return "import nox\n\n\n@nox.session\ndef release(session):\n" + "".join(calls)


@st.composite
def makefile(draw: st.DrawFn) -> str:
    recipes = draw(st.lists(shell_line(), min_size=1, max_size=4))
    var = draw(st.sampled_from(["", "TOKEN ?= x\n", "ORG := scipy-wheels-nightly\n"]))
    return var + "release:\n" + "".join(f"\t{line}\n" for line in recipes)


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """``base`` with a few random edits: inserted junk, deleted or repeated spans."""
    text = base
    for _ in range(draw(STYLE)):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        action = draw(STYLE)
        if action == 0:
            text = text[:at] + "".join(draw(st.lists(JUNK, min_size=1, max_size=4))) + text[at:]
        elif action == 1:
            end = draw(st.integers(at, min(len(text), at + 20)))
            text = text[:at] + text[end:]
        elif action == 2:
            end = draw(st.integers(at, min(len(text), at + 40)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            line_start = text.rfind("\n", 0, at) + 1
            text = text[:line_start] + " " * draw(st.integers(1, 3)) + text[line_start:]
    return text


def maybe_mutated(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.flatmap(lambda text: st.one_of(st.just(text), mutated(text)))


PATHS = [
    ".github/workflows/release.yml",
    ".github/workflows/reusable.yml",
    ".github/actions/publish/action.yml",
    "action.yml",
    "environment.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "ci/upload.yml",
    "scripts/release.sh",
    "tools/upload.sh",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "tox.toml",
    "Makefile",
    ".pypirc",
    "setup.py",
    "noxfile.py",
    "shiplint.toml",
    "RELEASING.md",
]


# --- running one example -----------------------------------------------------------------------


def check_repo(files: dict[str, str | bytes]) -> RootResult | None:
    """Audit a repository made of ``files``; assert no crash and sane findings and reports."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8", "surrogatepass"))
        return check_path(str(root), files)


def check_path(path: str, files: dict[str, str | bytes]) -> RootResult | None:
    try:
        result = audit_root(path, Options(today=TODAY))
    except ConfigError:
        # exit code 2: only a configuration written in the files may cause it
        assert any(rel in ("pyproject.toml", "shiplint.toml") for rel in files)
        return None
    crashes = [f"{f.path}: {f.message}" for f in result.findings if f.rule == "SL005"]
    assert not crashes, crashes
    for finding in result.findings:
        src = finding.source
        if src is None or finding.line is None:
            continue
        if src.text is not None:
            lines = len(src.line_starts)
        else:  # not decodable: the position (of the bad byte) counts the lines of the bytes
            lines = src.path.read_bytes().count(b"\n") + 1
        assert 1 <= finding.line <= lines + 1, (finding.rule, finding.path, finding.line)
        assert finding.column is None or finding.column >= 1, (finding.rule, finding.column)
    results = [result]
    json.loads(json_.render(results, "warning"))
    json.loads(sarif.render(results))
    json.loads(statistics.render_json(results))
    text.render(results)
    github.render(results)
    statistics.render_text(results)
    for item in plan(result.findings, unsafe=True):
        item.diff()
    return result


# --- the tests ---------------------------------------------------------------------------------


@FUZZ
@given(
    workflows=st.lists(maybe_mutated(workflow()), min_size=1, max_size=3),
    action=st.none() | maybe_mutated(composite_action()),
    script=st.none() | maybe_mutated(shell_script(20)),
)
def test_fuzz_workflows(workflows: list[str], action: str | None, script: str | None) -> None:
    files: dict[str, str | bytes] = {
        f".github/workflows/{'release' if i == 0 else 'reusable'}{i}.yml": wf
        for i, wf in enumerate(workflows)
    }
    files[".github/workflows/reusable.yml"] = workflows[-1]
    if action is not None:
        files[".github/actions/publish/action.yml"] = action
    if script is not None:
        files["scripts/release.sh"] = script
        files["tools/upload.sh"] = script
    check_repo(files)


@FUZZ
@given(
    project=maybe_mutated(pyproject()),
    tox=st.none() | maybe_mutated(ini_file(["tox", "testenv", "testenv:release", "testenv:py"])),
    setup_cfg=st.none()
    | maybe_mutated(ini_file(["metadata", "options", "tox:tox", "testenv:release", "upload"])),
    pypirc=st.none() | maybe_mutated(ini_file(["distutils", "pypi", "testpypi"])),
    setup=st.none() | maybe_mutated(setup_py()),
    nox=st.none() | maybe_mutated(noxfile()),
    make=st.none() | maybe_mutated(makefile()),
    wf=st.none() | workflow(),
)
def test_fuzz_python_configs(
    project: str,
    tox: str | None,
    setup_cfg: str | None,
    pypirc: str | None,
    setup: str | None,
    nox: str | None,
    make: str | None,
    wf: str | None,
) -> None:
    files: dict[str, str | bytes] = {"pyproject.toml": project}
    for rel, content in (
        ("tox.ini", tox),
        ("setup.cfg", setup_cfg),
        (".pypirc", pypirc),
        ("setup.py", setup),
        ("noxfile.py", nox),
        ("Makefile", make),
        (".github/workflows/release.yml", wf),
    ):
        if content is not None:
            files[rel] = content
    check_repo(files)


@FUZZ
@given(
    files=st.dictionaries(
        st.sampled_from(PATHS),
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=300),
            st.lists(st.one_of(JUNK, st.sampled_from(WORDS)), max_size=60).map("".join),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fuzz_random_files(files: dict[str, str | bytes]) -> None:
    check_repo(files)


@FUZZ
@given(
    rel=st.sampled_from(PATHS),
    content=st.one_of(
        maybe_mutated(workflow()),
        maybe_mutated(pyproject()),
        maybe_mutated(ini_file(["tox", "testenv:release", "pypi"])),
        maybe_mutated(shell_script()),
        st.binary(max_size=200),
    ),
)
def test_fuzz_single_file(rel: str, content: str | bytes) -> None:
    """``shiplint check path/to/file``: one file audited on its own."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", "surrogatepass"))
        check_path(str(path), {})


@FUZZ
@given(
    wf=maybe_mutated(workflow()),
    script=maybe_mutated(shell_script(12)),
    tox=maybe_mutated(ini_file(["tox", "testenv", "testenv:release"])),
    make=maybe_mutated(makefile()),
    nox=maybe_mutated(noxfile()),
    project=maybe_mutated(pyproject()),
    tox_toml=st.none() | maybe_mutated(pyproject()),
)
def test_fuzz_whole_repository(
    wf: str, script: str, tox: str, make: str, nox: str, project: str, tox_toml: str | None
) -> None:
    """Every kind at once, so that workflows reach scripts, tox, make and nox sessions."""
    files: dict[str, str | bytes] = {
        ".github/workflows/release.yml": wf,
        "scripts/release.sh": script,
        "tools/upload.sh": script,
        "tox.ini": tox,
        "Makefile": make,
        "noxfile.py": nox,
        "pyproject.toml": project,
    }
    if tox_toml is not None:
        files["tox.toml"] = tox_toml
    check_repo(files)
