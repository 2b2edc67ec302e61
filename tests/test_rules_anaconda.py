"""SL601-SL606: the anaconda CLI, anaconda-client installs and upload-nightly-action."""

from __future__ import annotations

import textwrap
from typing import Callable

from shiplint.findings import Finding
from tests.conftest import AuditFn, hit

FindingsFn = Callable[..., "list[Finding]"]

PINNED = "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"  # 0.6.4, from the action's README
# A SHA-shaped pin for tests; the version comes from its comment.
SOME_SHA = "a1" * 20


def fixed(text: str, finding: Finding) -> str:
    """``text`` (as written in the fixture) with the finding's fix applied."""
    assert finding.fix is not None
    body = textwrap.dedent(text).lstrip("\n")
    assert finding.source is not None and finding.source.text == body
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        body = body[: edit.start] + edit.replacement + body[edit.end :]
    return body


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- realistic fixtures, modelled on the configurations the catalogue cites ----------------

# numpy tools/wheels/upload_wheels.sh (2023): `--skip` for nightly uploads (numpy#24071).
NUMPY_SCRIPT = """
    set_upload_vars() {
        echo "IS_PUSH is $IS_PUSH"
        echo "IS_SCHEDULE_DISPATCH is $IS_SCHEDULE_DISPATCH"
        if [[ "$IS_PUSH" == "true" ]]; then
            echo push and tag event
            export ANACONDA_ORG="multibuild-wheels-staging"
            export TOKEN="$NUMPY_STAGING_UPLOAD_TOKEN"
            export ANACONDA_UPLOAD="true"
        elif [[ "$IS_SCHEDULE_DISPATCH" == "true" ]]; then
            echo scheduled or dispatched event
            export ANACONDA_ORG="scientific-python-nightly-wheels"
            export TOKEN="$NUMPY_NIGHTLY_UPLOAD_TOKEN"
            export ANACONDA_UPLOAD="true"
        else
            echo non-dispatch event
            export ANACONDA_UPLOAD="false"
        fi
    }
    upload_wheels() {
        echo ${PWD}
        if [[ ${ANACONDA_UPLOAD} == true ]]; then
            if [[ -z ${TOKEN} ]]; then
                echo no token set, not uploading
            else
                if compgen -G "./dist/*.gz"; then
                    echo "Found sdist"
                    anaconda -q -t ${TOKEN} upload --skip -u ${ANACONDA_ORG} ./dist/*.gz
                elif compgen -G "./wheelhouse/*.whl"; then
                    echo "Found wheel"
                    anaconda -q -t ${TOKEN} upload --skip -u ${ANACONDA_ORG} ./wheelhouse/*.whl
                else
                    echo "Files do not exist"
                    return 1
                fi
                echo "PyPI-style index: https://pypi.anaconda.org/$ANACONDA_ORG/simple"
            fi
        fi
    }
"""

NUMPY_WHEELS = """
    name: Wheel builder
    on:
      schedule:
        - cron: "42 2 * * SUN,WED"
      push:
      pull_request:
      workflow_dispatch:
    jobs:
      build_wheels:
        runs-on: ubuntu-22.04
        steps:
          - uses: actions/checkout@v4
          - uses: conda-incubator/setup-miniconda@v3
            with:
              auto-update-conda: true
          - name: Upload wheels
            if: success()
            shell: bash -el {0}
            env:
              NUMPY_STAGING_UPLOAD_TOKEN: ${{ secrets.NUMPY_STAGING_UPLOAD_TOKEN }}
              NUMPY_NIGHTLY_UPLOAD_TOKEN: ${{ secrets.NUMPY_NIGHTLY_UPLOAD_TOKEN }}
            run: |
              conda install -y anaconda-client
              source tools/wheels/upload_wheels.sh
              set_upload_vars
              upload_wheels
"""

# matplotlib .github/workflows/nightlies.yml before it moved to upload-nightly-action.
MPL_NIGHTLIES = """
    name: Upload nightly wheels to Anaconda Cloud
    on:
      # Run daily at 1:23 UTC to upload nightly wheels to Anaconda Cloud
      schedule:
        - cron: '23 1 * * *'
      workflow_dispatch:
    permissions:
      actions: read
    jobs:
      upload_nightly_wheels:
        name: Upload nightly wheels to Anaconda Cloud
        runs-on: ubuntu-latest
        defaults:
          run:
            shell: bash -l {0}
        if: github.repository_owner == 'matplotlib'
        steps:
          - name: Download wheel artifacts from last build on 'main'
            env:
              GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
            run: |
              gh run --repo matplotlib/matplotlib download "${RUN_ID}" --name wheels
              mkdir dist
              mv *.whl dist/
          # N.B. anaconda-client is only maintained on the main channel
          - name: Install anaconda-client
            uses: mamba-org/provision-with-micromamba@v15
            with:
              environment-file: false
              environment-name: nightlies
              extra-specs: anaconda-client=1.13.0
              channels: main
          - name: Upload wheels to Anaconda Cloud as nightlies
            run: |
              anaconda --token ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} upload \\
                --user scientific-python-nightly-wheels \\
                --skip-existing \\
                dist/matplotlib-*.whl
"""

# h5py ci/upload_wheels.sh (Travis, 2021).
H5PY_SCRIPT = """
    #!/bin/bash
    # Upload wheels to the Anaconda.org nightly channel
    ANACONDA_ORG="scientific-python-nightly-wheels"
    pip install git+https://github.com/Anaconda-Server/anaconda-client
    if [[ -n "${ANACONDA_ORG_UPLOAD_TOKEN}" ]]; then
      anaconda -t ${ANACONDA_ORG_UPLOAD_TOKEN} upload --force -u ${ANACONDA_ORG} wheelhouse/h5py-*.whl
    fi
"""

# scikit-learn build_tools/github/upload_anaconda.sh: a correct script (conda install,
# token before the subcommand, --force).
SKLEARN_SCRIPT = """
    #!/bin/bash
    set -e
    set -x
    if [ "$GITHUB_EVENT_NAME" == "schedule" ]; then
        ANACONDA_ORG="scientific-python-nightly-wheels"
        ANACONDA_TOKEN="$SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN"
    else
        ANACONDA_ORG="scikit-learn-wheels-staging"
        ANACONDA_TOKEN="$SCIKIT_LEARN_STAGING_UPLOAD_TOKEN"
    fi
    export PATH=$CONDA/bin:$PATH
    conda create -n upload -y anaconda-client
    source activate upload
    # Force a replacement if the remote file already exists
    anaconda -t $ANACONDA_TOKEN upload --force -u $ANACONDA_ORG dist/artifact/*
    echo "Index: https://pypi.anaconda.org/$ANACONDA_ORG/simple"
"""

SKLEARN_WORKFLOW = """
    name: Wheel builder
    on:
      schedule:
        - cron: "42 3 */1 * *"
      push:
        branches: [main]
    jobs:
      upload_anaconda:
        runs-on: ubuntu-latest
        needs: [build_wheels, build_sdist]
        if: github.repository == 'scikit-learn/scikit-learn' && github.event_name != 'pull_request'
        steps:
          - uses: actions/checkout@v4
          - uses: actions/download-artifact@v4
            with:
              pattern: cibw-*
              path: dist
              merge-multiple: true
          - uses: conda-incubator/setup-miniconda@v3
          - name: Upload artifacts
            env:
              SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN: ${{ secrets.SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN }}
              SCIKIT_LEARN_STAGING_UPLOAD_TOKEN: ${{ secrets.SCIKIT_LEARN_STAGING_UPLOAD_TOKEN }}
            run: bash build_tools/github/upload_anaconda.sh
"""


# --- SL601 anaconda-token-after-upload ------------------------------------------------------

H5PY_SWAPPED = H5PY_SCRIPT.replace(
    "anaconda -t ${ANACONDA_ORG_UPLOAD_TOKEN} upload --force",
    "anaconda upload -t ${ANACONDA_ORG_UPLOAD_TOKEN} --force",
).replace("pip install git+https://github.com/Anaconda-Server/anaconda-client", "")


def test_token_after_upload_in_script(audit: AuditFn) -> None:
    assert audit({"ci/upload_wheels.sh": H5PY_SWAPPED}, select=["SL601"]) == [
        hit("SL601", "ci/upload_wheels.sh", H5PY_SWAPPED, "-t ${ANACONDA"),
    ]


def test_token_after_upload_fix_restores_the_working_order(audit_findings: FindingsFn) -> None:
    [finding] = audit_findings({"ci/upload_wheels.sh": H5PY_SWAPPED}, select=["SL601"])
    assert finding.fix is not None and finding.fix.safe
    expected = H5PY_SWAPPED.replace(
        "anaconda upload -t ${ANACONDA_ORG_UPLOAD_TOKEN} --force",
        "anaconda -t ${ANACONDA_ORG_UPLOAD_TOKEN} upload --force",
    )
    assert fixed(H5PY_SWAPPED, finding) == dedent(expected)
    assert "${ANACONDA_ORG_UPLOAD_TOKEN}" in finding.message
    assert "--package-type" in finding.message


def test_token_after_upload_in_workflow_run(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 3 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  anaconda upload -t "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}" --user scientific-python-nightly-wheels dist/*.whl
                  anaconda upload \\
                    -t "$ANACONDA_TOKEN" --force dist/*.whl
    """
    files = {".github/workflows/nightly.yml": wf}
    assert audit(files, select=["SL601"]) == [
        hit("SL601", ".github/workflows/nightly.yml", wf, "-t"),
        hit("SL601", ".github/workflows/nightly.yml", wf, "-t", 2),
    ]
    one_line, continued = audit_findings(files, select=["SL601"])
    assert fixed(wf, one_line).splitlines()[8].strip() == (
        'anaconda -t "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}" upload '
        "--user scientific-python-nightly-wheels dist/*.whl"
    )
    assert continued.fix is None  # the words span two lines: no automatic move


def test_literal_token_is_reported_but_never_shown(audit_findings: FindingsFn) -> None:
    script = """
        anaconda upload -t ab-cdef0123456789 --user my-org dist/*.whl
    """
    [finding] = audit_findings({"scripts/upload.sh": script}, select=["SL601"])
    assert (finding.line, finding.column) == (1, 17)
    assert finding.fix is None
    assert "ab-cdef0123456789" not in finding.message + finding.help
    assert finding.source is not None and finding.source.secret_spans


def test_token_also_given_before_upload_has_no_fix(audit_findings: FindingsFn) -> None:
    script = """
        anaconda -t "$ANACONDA_TOKEN" upload -t "$ANACONDA_TOKEN" -u my-org dist/*.whl
    """
    [finding] = audit_findings({"scripts/upload.sh": script}, select=["SL601"])
    assert (finding.line, finding.column) == (1, 38)
    assert finding.fix is None


def test_token_before_upload_and_package_types_are_clean(audit: AuditFn) -> None:
    script = """
        anaconda -t "$ANACONDA_TOKEN" upload --force -u my-org dist/*.whl
        anaconda --token "$ANACONDA_TOKEN" upload -t pypi -u my-org dist/*.tar.gz
        anaconda -t "$ANACONDA_TOKEN" upload -t conda -u my-org pkgs/*.conda
        anaconda upload --package-type=conda -u my-org pkgs/*.conda
        anaconda upload -t "$PACKAGE_TYPE" -u my-org pkgs/*.conda
        anaconda upload -u my-org -l nightly --force dist/*.whl
        twine upload -u __token__ -p "$PYPI_TOKEN" dist/*
    """
    files = {
        "scripts/upload.sh": script,
        "build_tools/github/upload_anaconda.sh": SKLEARN_SCRIPT,
        "ci/upload_wheels.sh": H5PY_SCRIPT,
    }
    assert audit(files, select=["SL601"]) == []
    swapped = script.replace(
        'anaconda -t "$ANACONDA_TOKEN" upload --force',
        'anaconda upload -t "$ANACONDA_TOKEN" --force',
    )
    assert audit({**files, "scripts/upload.sh": swapped}, select=["SL601"]) == [
        hit("SL601", "scripts/upload.sh", swapped, "-t"),
    ]


# --- SL602 anaconda-client-broken-version ---------------------------------------------------


def test_broken_client_in_provision_with_micromamba(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    files = {".github/workflows/nightlies.yml": MPL_NIGHTLIES}
    assert audit(files, select=["SL602"]) == [
        hit("SL602", ".github/workflows/nightlies.yml", MPL_NIGHTLIES, "anaconda-client=1.13.0"),
    ]
    [finding] = audit_findings(files, select=["SL602"])
    assert "1.13.0" in finding.message
    assert "Authorization header was not given" in finding.help
    assert "1.13.1" in finding.help and "BINSTAR_API_TOKEN" in finding.help
    assert fixed(MPL_NIGHTLIES, finding) == dedent(
        MPL_NIGHTLIES.replace("anaconda-client=1.13.0", "anaconda-client=1.13.1")
    )


def test_broken_client_everywhere_it_is_installed(audit: AuditFn) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 3 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: mamba-org/setup-micromamba@v2
                with:
                  environment-name: upload
                  create-args: >-
                    python=3.12
                    anaconda-client==1.13.0
              - run: |
                  conda install -y -c conda-forge "anaconda-client<1.13.1"
                  micromamba install -y conda-forge::anaconda-client=1.13.0=pyhd8ed1ab_0
              - name: Upload
                shell: pixi exec --spec anaconda-client=1.13.0 -- bash -e {0}
                run: anaconda --token "$TOKEN" upload -u my-org dist/*.whl
                env:
                  TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    env = """
        name: upload
        channels: [conda-forge]
        dependencies:
          - python=3.12
          - anaconda-client 1.13.0
    """
    pyproject = """
        [project]
        name = "demo"
        version = "1.0"

        [tool.pixi.workspace]
        channels = ["conda-forge"]
        platforms = ["linux-64"]

        [tool.pixi.feature.upload.dependencies]
        anaconda-client = "==1.13.0"
    """
    path = ".github/workflows/nightly.yml"
    files = {path: wf, "environment-upload.yml": env, "pyproject.toml": pyproject}
    assert audit(files, select=["SL602"]) == [
        hit("SL602", path, wf, "anaconda-client==1.13.0"),
        hit("SL602", path, wf, "anaconda-client<1.13.1"),
        hit("SL602", path, wf, "anaconda-client=1.13.0=pyh"),
        hit("SL602", path, wf, "anaconda-client=1.13.0 --"),
        hit("SL602", "environment-upload.yml", env, "anaconda-client 1.13.0"),
        hit("SL602", "pyproject.toml", pyproject, "==1.13.0"),
    ]


def test_fixed_or_loose_client_pins_are_clean(audit: AuditFn) -> None:
    fixed_nightlies = MPL_NIGHTLIES.replace("anaconda-client=1.13.0", "anaconda-client=1.13.1")
    script = """
        conda install -y anaconda-client
        conda install -y "anaconda-client>=1.13.1"
        conda install -y anaconda-client=1.13
        mamba install -y "anaconda-client!=1.13.0"
        micromamba install -y "anaconda-client==1.13.*"
        conda install -y anaconda-client=1.12.3
        echo "anaconda-client-extras=1.13.0 is not anaconda-client"
        anaconda -t "$TOKEN" upload -u my-org dist/*.whl
    """
    files = {".github/workflows/nightlies.yml": fixed_nightlies, "ci/upload.sh": script}
    assert audit(files, select=["SL602"]) == []
    exact = script.replace("anaconda-client=1.13\n", "anaconda-client=1.13.0\n")
    assert audit({**files, "ci/upload.sh": exact}, select=["SL602"]) == [
        hit("SL602", "ci/upload.sh", exact, "anaconda-client=1.13.0"),
    ]


def test_broken_client_is_a_warning_unless_installed_with_a_plugin(
    audit_findings: FindingsFn,
) -> None:
    # 1.13.0 fails only next to another Anaconda CLI plugin (anaconda/anaconda-client#793);
    # it does not depend on one, so a fresh environment works.
    wf = """
        on:
          schedule:
            - cron: "0 3 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: mamba-org/setup-micromamba@v2
                with:
                  environment-name: upload
                  create-args: >-
                    python=3.12
                    anaconda-client=1.13.0
                    conda-forge::anaconda-auth
              - run: python -m pip install "anaconda-client==1.13.0"
              - run: anaconda --token "$TOKEN" upload -u my-org dist/*.whl
                env:
                  TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    pyproject = """
        [project]
        name = "demo"
        version = "1.0"

        [tool.pixi.feature.upload.dependencies]
        anaconda-client = "==1.13.0"
        anaconda_auth = "*"
    """
    path = ".github/workflows/nightly.yml"
    findings = audit_findings({path: wf, "pyproject.toml": pyproject}, select=["SL602"])
    assert [(f.path, f.line, f.severity.value) for f in findings] == [
        (path, 13, "error"),
        (path, 15, "warning"),
        ("pyproject.toml", 6, "error"),
    ]
    with_plugin, pip, _pixi = findings
    assert "installed with an Anaconda CLI plugin" in with_plugin.message
    assert "Miniconda" in pip.help and "Check what else the environment holds" in pip.help
    # 1.13.1 is not on PyPI: a pip pin moves to the first fixed release there
    assert "anaconda-client>=1.14.0" in pip.help
    assert fixed(wf, pip) == dedent(
        wf.replace('"anaconda-client==1.13.0"', '"anaconda-client==1.14.0"')
    )
    assert fixed(wf, with_plugin) == dedent(
        wf.replace("anaconda-client=1.13.0", "anaconda-client=1.13.1")
    )


def test_broken_client_with_the_env_token_workaround_is_clean(audit: AuditFn) -> None:
    script = """
        micromamba install -y anaconda-client=1.13.0
        export BINSTAR_API_TOKEN="$ANACONDA_ORG_UPLOAD_TOKEN"
        anaconda upload --force -u scientific-python-nightly-wheels dist/*.whl
    """
    assert audit({"ci/upload.sh": script}, select=["SL602"]) == []
    # ... but the same pin with `--token` is reported
    with_flag = script.replace("anaconda upload", 'anaconda --token "$BINSTAR_API_TOKEN" upload')
    assert audit({"ci/upload.sh": with_flag}, select=["SL602"]) == [
        hit("SL602", "ci/upload.sh", with_flag, "anaconda-client=1.13.0"),
    ]


# --- SL603 anaconda-client-not-on-pypi -------------------------------------------------------


def test_pip_installs_of_the_client_work_now(audit: AuditFn) -> None:
    # conda-package-handling is on PyPI since 2.1.0 and anaconda-client since 1.13.0: the
    # installs that failed in 2022 (h5py, numpy, astropy) resolve today.
    wf = """
        on:
          schedule:
            - cron: "0 3 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: python -m pip install --upgrade pip anaconda-client
              - run: uv pip install --system "anaconda-client>=1.12"
              - run: pip3 install --user -e git+https://github.com/anaconda/anaconda-client.git#egg=anaconda-client
              - run: pipx install anaconda-client
              - run: pip install "anaconda-client==1.13.0" "anaconda-client~=1.14.0" "anaconda-client<1.13"
              - run: pip install "anaconda-client==1.17.2"
    """
    env = """
        name: upload
        dependencies:
          - python=3.12
          - pip
          - pip:
            - anaconda-client>=1.13
    """
    files = {
        "ci/upload_wheels.sh": H5PY_SCRIPT,
        ".github/workflows/nightly.yml": wf,
        "environment.yml": env,
    }
    assert audit(files, select=["SL603"]) == []


def test_pins_between_the_pypi_releases_in_every_form(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 3 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: python -m pip install --upgrade pip "anaconda-client==1.12.3"
              - run: uv pip install --system "anaconda-client~=1.11.0"
              - run: pipx run --spec anaconda-client==1.13.1 anaconda -t "$TOKEN" upload dist/*.whl
              - run: uvx --from "anaconda_client>=1.7,<1.13" anaconda -t "$TOKEN" upload dist/*.whl
              - run: uv tool install "anaconda-client==1.10.*"
    """
    env = """
        name: upload
        dependencies:
          - python=3.12
          - pip
          - pip:
            - anaconda-client==1.12.3
    """
    nox = """
        import nox

        @nox.session
        def upload(session):
            session.install("anaconda-client==1.11.0", "twine")
            session.run("anaconda", "upload", "dist/pkg.whl")
    """
    path = ".github/workflows/nightly.yml"
    files = {path: wf, "environment.yml": env, "noxfile.py": nox}
    assert audit(files, select=["SL603"]) == [
        hit("SL603", path, wf, "anaconda-client==1.12.3"),
        hit("SL603", path, wf, "anaconda-client~=1.11.0"),
        hit("SL603", path, wf, "anaconda-client==1.13.1"),
        hit("SL603", path, wf, "anaconda_client>=1.7"),
        hit("SL603", path, wf, "anaconda-client==1.10.*"),
        hit("SL603", "environment.yml", env, "anaconda-client==1.12.3"),
        hit("SL603", "noxfile.py", nox, '"anaconda-client==1.11.0"'),
    ]
    finding = audit_findings(files, select=["SL603"])[0]
    assert finding.message == (
        "no anaconda-client release on PyPI matches `==1.12.3`: pip cannot install it"
    )
    assert "1.1.1, 1.2.2, 1.13.0, 1.14.0" in finding.help
    assert "No matching distribution found for anaconda-client==1.12.3" in finding.help


def test_other_indexes_conda_and_markers_are_clean(audit: AuditFn) -> None:
    wf = """
        on: [workflow_dispatch]
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: mamba-org/setup-micromamba@v2
                with:
                  create-args: anaconda-client=1.12.3
              - run: |
                  conda install -y anaconda-client=1.11.0
                  pip install --extra-index-url https://pypi.anaconda.org/anaconda/simple "anaconda-client==1.12.3"
                  pip install "anaconda-client==1.12.3; python_version < '3.8'"
                  pip download "anaconda-client==1.12.3"
                  pixi exec --spec anaconda-client=1.12.3 -- anaconda -t "$TOKEN" upload dist/*.whl
              - run: pip install "anaconda-client==1.12.3"
                env:
                  PIP_INDEX_URL: https://mirror.example.org/simple
    """
    env = """
        name: upload
        dependencies:
          - anaconda-client=1.12.3
          - pip:
            - --find-links wheels/
            - anaconda-client==1.12.3
    """
    files = {".github/workflows/upload.yml": wf, "environment.yml": env}
    assert audit(files, select=["SL603"]) == []
    installed = wf.replace("pip download", "pip install")
    path = ".github/workflows/upload.yml"
    assert audit({**files, path: installed}, select=["SL603"]) == [
        hit("SL603", path, installed, "anaconda-client==1.12.3", 3),
    ]


# --- SL604 upload-nightly-version ------------------------------------------------------------


def test_docker_release_in_a_cibuildwheel_matrix(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    # shapely tried exactly this (upload-nightly-action#71)
    wf = """
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          build_wheels:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-latest, windows-2022, macos-13, macos-14]
            steps:
              - uses: pypa/cibuildwheel@v2.17.0
              - name: Upload nightly wheels
                uses: scientific-python/upload-nightly-action@0.5.0
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    path = ".github/workflows/wheels.yml"
    assert audit({path: wf}, select=["SL604"]) == [
        hit("SL604", path, wf, "windows-2022"),
        hit("SL604", path, wf, "macos-13"),
        hit("SL604", path, wf, "macos-14"),
    ]
    first = audit_findings({path: wf}, select=["SL604"])[0]
    assert "Container action is only supported on Linux" in first.help
    assert PINNED in first.help


def test_docker_release_guarded_to_linux_is_clean(audit: AuditFn) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          build_wheels:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-latest, windows-2022, macos-14]
            steps:
              - uses: pypa/cibuildwheel@v2.17.0
              - if: runner.os == 'Linux'
                uses: scientific-python/upload-nightly-action@0.5.0
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
              - if: matrix.os == 'ubuntu-latest' && github.event_name == 'schedule'
                uses: scientific-python/upload-nightly-action@0.5.0
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
          upload:
            runs-on: ubuntu-latest
            needs: build_wheels
            steps:
              - uses: scientific-python/upload-nightly-action@0.5.0
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    path = ".github/workflows/wheels.yml"
    assert audit({path: wf}, select=["SL604"]) == []
    unguarded = wf.replace("if: runner.os == 'Linux'", "name: Upload")
    assert audit({path: unguarded}, select=["SL604"]) == [
        hit("SL604", path, unguarded, "windows-2022"),
        hit("SL604", path, unguarded, "macos-14"),
    ]


def test_broken_0_6_0_release(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = f"""
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: scientific-python/upload-nightly-action@{SOME_SHA} # 0.6.0
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
    """
    path = ".github/workflows/nightly.yml"
    assert audit({path: wf}, select=["SL604"]) == [hit("SL604", path, wf, SOME_SHA)]
    [finding] = audit_findings({path: wf}, select=["SL604"])
    assert "pixi.lock" in finding.help


def test_0_6_x_on_linux_arm_and_windows(audit: AuditFn) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          wheels:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-latest, ubuntu-24.04-arm, macos-14, macos-13, windows-latest]
            steps:
              - uses: scientific-python/upload-nightly-action@0.6.2
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
          self-hosted:
            runs-on: [self-hosted, linux, ARM64]
            steps:
              - uses: scientific-python/upload-nightly-action@0.6.1
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    path = ".github/workflows/wheels.yml"
    assert audit({path: wf}, select=["SL604"]) == [
        hit("SL604", path, wf, "ubuntu-24.04-arm"),
        hit("SL604", path, wf, "windows-latest"),
        hit("SL604", path, wf, "ARM64"),
    ]
    # 0.6.3 added linux-aarch64 and win-64
    newer = wf.replace("@0.6.2", "@0.6.3").replace("@0.6.1", "@0.6.3")
    assert audit({path: newer}, select=["SL604"]) == []


def test_runner_conditions_with_or_and_arch(audit: AuditFn) -> None:
    # `||` conditions are evaluated, not ignored: Windows never runs this step
    wf = """
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          wheels:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-latest, macos-14, windows-latest]
            steps:
              - if: runner.os == 'Linux' || runner.os == 'macOS'
                uses: scientific-python/upload-nightly-action@0.6.2
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    path = ".github/workflows/wheels.yml"
    assert audit({path: wf}, select=["SL604"]) == []
    # before 0.6.0 the same condition still lets the container action run on macOS
    docker = wf.replace("@0.6.2", "@0.5.0")
    assert audit({path: docker}, select=["SL604"]) == [hit("SL604", path, docker, "macos-14")]
    # `runner.arch == 'ARM64'` does not keep it off macos-14 (an arm64 image); it does keep
    # it off windows-latest (X64)
    arm = docker.replace(
        "runner.os == 'Linux' || runner.os == 'macOS'", "runner.arch == 'ARM64'"
    ).replace("ubuntu-latest, ", "ubuntu-24.04-arm, ")
    assert audit({path: arm}, select=["SL604"]) == [hit("SL604", path, arm, "macos-14")]


def test_org_and_labels_inputs_before_0_3_0(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: scientific-python/upload-nightly-action@0.2.0
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
                  anaconda_nightly_upload_organization: my-project-nightly
                  anaconda_nightly_upload_labels: dev
    """
    path = ".github/workflows/nightly.yml"
    assert audit({path: wf}, select=["SL604"]) == [
        hit("SL604", path, wf, "anaconda_nightly_upload_organization"),
        hit("SL604", path, wf, "anaconda_nightly_upload_labels"),
    ]
    org = audit_findings({path: wf}, select=["SL604"])[0]
    assert "0.3.0" in org.help and "scientific-python-nightly-wheels" in org.help
    assert audit({path: wf.replace("@0.2.0", "@0.3.0")}, select=["SL604"]) == []


def test_current_or_unknown_release_is_clean(audit: AuditFn) -> None:
    wf = f"""
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          wheels:
            runs-on: ${{{{ matrix.os }}}}
            strategy:
              matrix:
                os: [ubuntu-latest, ubuntu-24.04-arm, windows-latest, macos-14]
            steps:
              # version from the comment
              - uses: scientific-python/upload-nightly-action@{PINNED} # 0.6.4
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
                  anaconda_nightly_upload_labels: dev
              # version from the table of known SHAs
              - uses: scientific-python/upload-nightly-action@{PINNED}
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
              # unknown version: SL605's business
              - uses: scientific-python/upload-nightly-action@main
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
    """
    assert audit({".github/workflows/wheels.yml": wf}, select=["SL604"]) == []


# --- SL605 upload-nightly-unpinned ------------------------------------------------------------


def test_spec4_example_at_main(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = """
        name: Build and upload nightly wheels
        on:
          workflow_dispatch:
          schedule:
            - cron: "0 0 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
              - name: Upload wheel
                uses: scientific-python/upload-nightly-action@main
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{ secrets.UPLOAD_TOKEN }}
    """
    path = ".github/workflows/nightly.yml"
    files = {path: wf}
    assert audit(files, select=["SL605"]) == [hit("SL605", path, wf, "main\n")]
    [finding] = audit_findings(files, select=["SL605"])
    assert "branch `main`" in finding.message
    assert finding.fix is not None and not finding.fix.safe
    assert f"upload-nightly-action@{PINNED} # 0.6.4\n" in fixed(wf, finding)


def test_tag_refs_are_not_pins(audit: AuditFn, audit_findings: FindingsFn) -> None:
    action = """
        name: upload
        runs:
          using: composite
          steps:
            - uses: "scientific-python/upload-nightly-action@0.6.4"
              with:
                artifacts_path: dist
                anaconda_nightly_upload_token: ${{ inputs.token }}
    """
    path = ".github/actions/upload/action.yml"
    assert audit({path: action}, select=["SL605"]) == [hit("SL605", path, action, "0.6.4")]
    [finding] = audit_findings({path: action}, select=["SL605"])
    assert f'"scientific-python/upload-nightly-action@{PINNED}" # 0.6.4' in fixed(action, finding)


def test_sha_pins_are_clean(audit: AuditFn) -> None:
    wf = f"""
        on:
          schedule:
            - cron: "0 0 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: scientific-python/upload-nightly-action@{PINNED} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
              - uses: pypa/gh-action-pypi-publish@release/v1
    """
    assert audit({".github/workflows/nightly.yml": wf}, select=["SL605"]) == []


# --- SL606 anaconda-skip-existing ---------------------------------------------------------------


def test_numpy_skip_in_scheduled_script(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {
        "tools/wheels/upload_wheels.sh": NUMPY_SCRIPT,
        ".github/workflows/wheels.yml": NUMPY_WHEELS,
    }
    path = "tools/wheels/upload_wheels.sh"
    assert audit(files, select=["SL606"]) == [
        hit("SL606", path, NUMPY_SCRIPT, "--skip"),
        hit("SL606", path, NUMPY_SCRIPT, "--skip", 2),
    ]
    finding = audit_findings(files, select=["SL606"])[0]
    assert ".github/workflows/wheels.yml" in finding.message
    assert "--force" in finding.help
    assert finding.fix is not None and not finding.fix.safe
    assert "upload --force -u ${ANACONDA_ORG} ./dist/*.gz" in fixed(NUMPY_SCRIPT, finding)


def test_numpy_script_alone_uploads_to_the_nightly_org(audit: AuditFn) -> None:
    path = "tools/wheels/upload_wheels.sh"
    assert audit({path: NUMPY_SCRIPT}, select=["SL606"]) == [
        hit("SL606", path, NUMPY_SCRIPT, "--skip"),
        hit("SL606", path, NUMPY_SCRIPT, "--skip", 2),
    ]


def test_matplotlib_skip_existing(audit: AuditFn) -> None:
    path = ".github/workflows/nightlies.yml"
    assert audit({path: MPL_NIGHTLIES}, select=["SL606"]) == [
        hit("SL606", path, MPL_NIGHTLIES, "--skip-existing"),
    ]


def test_reusable_workflow_called_on_schedule(audit: AuditFn) -> None:
    callee = """
        on:
          workflow_call:
            secrets:
              ANACONDA_TOKEN:
                required: true
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda -t "$ANACONDA_TOKEN" upload --skip-existing -u my-project dist/*.whl
                env:
                  ANACONDA_TOKEN: ${{ secrets.ANACONDA_TOKEN }}
    """
    caller = """
        on:
          schedule:
            - cron: "0 2 * * *"
        jobs:
          upload:
            uses: ./.github/workflows/upload.yml
            secrets:
              ANACONDA_TOKEN: ${{ secrets.ANACONDA_TOKEN }}
    """
    files = {".github/workflows/upload.yml": callee, ".github/workflows/nightly.yml": caller}
    assert audit(files, select=["SL606"]) == [
        hit("SL606", ".github/workflows/upload.yml", callee, "--skip-existing"),
    ]
    # the self-repository reference names the same workflow
    self_ref = caller.replace("uses: ./.github", "uses: $/.github")
    files[".github/workflows/nightly.yml"] = self_ref
    assert audit(files, select=["SL606"]) == [
        hit("SL606", ".github/workflows/upload.yml", callee, "--skip-existing"),
    ]
    # called from a push workflow only: not a nightly
    files[".github/workflows/nightly.yml"] = self_ref.replace(
        'schedule:\n            - cron: "0 2 * * *"', "push:"
    )
    assert audit(files, select=["SL606"]) == []


def test_force_and_release_uploads_are_clean(audit: AuditFn) -> None:
    release = """
        on:
          push:
            tags: ["v*"]
        jobs:
          staging:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda -t "$TOKEN" upload --skip-existing -u my-project-staging dist/*.whl
    """
    files = {
        "build_tools/github/upload_anaconda.sh": SKLEARN_SCRIPT,
        ".github/workflows/wheels.yml": SKLEARN_WORKFLOW,
        ".github/workflows/release.yml": release,
        "tools/wheels/upload_wheels.sh": NUMPY_SCRIPT.replace("--skip", "--force"),
    }
    assert audit(files, select=["SL606"]) == []
    nightly = release.replace("push:", "schedule:").replace('tags: ["v*"]', '- cron: "0 2 * * *"')
    path = ".github/workflows/release.yml"
    assert audit({**files, path: nightly}, select=["SL606"]) == [
        hit("SL606", path, nightly, "--skip-existing"),
    ]


def test_release_of_a_sha_pin_comes_from_the_table(audit: AuditFn) -> None:
    # b36e8c0 is the 0.6.2 release commit: no comment needed, and a wrong one does not count
    wf = """
        on:
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          wheels:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-latest, windows-latest]
            steps:
              - uses: scientific-python/upload-nightly-action@b36e8c0c10dbcfd2e05bf95f17ef8c14fd708dbf
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    path = ".github/workflows/wheels.yml"
    assert audit({path: wf}, select=["SL604"]) == [hit("SL604", path, wf, "windows-latest")]
    commented = wf.replace("dbf\n", "dbf # 0.6.4\n")
    assert audit({path: commented}, select=["SL604"]) == [
        hit("SL604", path, commented, "windows-latest")
    ]
    # an unknown SHA whose comment names only the 0.6 line: the exact release is not known
    line_only = wf.replace("b36e8c0c10dbcfd2e05bf95f17ef8c14fd708dbf", SOME_SHA + " # 0.6")
    assert audit({path: line_only}, select=["SL604"]) == []


# numpy's pyproject.toml (2023): a static dev version, the case of numpy/numpy#24071
STATIC_PYPROJECT = """
    [build-system]
    build-backend = "mesonpy"
    requires = ["meson-python>=0.13.1", "Cython>=3.0"]

    [project]
    name = "numpy"
    version = "2.0.0.dev0"
"""
SCM_PYPROJECT = """
    [build-system]
    requires = ["setuptools>=64", "setuptools-scm>=8"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "stardust"
    dynamic = ["version"]

    [tool.setuptools_scm]
"""
HATCH_VCS_PYPROJECT = """
    [build-system]
    requires = ["hatchling", "hatch-vcs"]
    build-backend = "hatchling.build"

    [project]
    name = "stardust"
    dynamic = ["version"]

    [tool.hatch.version]
    source = "vcs"
    raw-options = { local_scheme = "no-local-version" }
"""
FILE_VERSION_PYPROJECT = """
    [build-system]
    requires = ["setuptools>=64"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "stardust"
    dynamic = ["version"]

    [tool.setuptools.dynamic]
    version = {attr = "stardust.__version__"}
"""


def test_skip_severity_follows_how_the_version_is_made(audit_findings: FindingsFn) -> None:
    files = {
        "tools/wheels/upload_wheels.sh": NUMPY_SCRIPT,
        ".github/workflows/wheels.yml": NUMPY_WHEELS,
    }

    def severities(pyproject: str) -> list[str]:
        tree = {**files, "pyproject.toml": pyproject}
        return [f.severity.value for f in audit_findings(tree, select=["SL606"])]

    # a static dev version never changes: the nightly goes stale
    static = audit_findings({**files, "pyproject.toml": STATIC_PYPROJECT}, select=["SL606"])
    assert [f.severity.value for f in static] == ["warning", "warning"]
    assert "the version `2.0.0.dev0` never changes" in static[0].message
    # VCS versions change with every commit (`X.devN+gHASH`, or `X.devN` without the local
    # part): nothing goes stale
    assert severities(SCM_PYPROJECT) == []
    assert severities(HATCH_VCS_PYPROJECT) == []
    # read from code, or unknown (versioneer, no pyproject): a note that says what to check
    read = audit_findings({**files, "pyproject.toml": FILE_VERSION_PYPROJECT}, select=["SL606"])
    assert [f.severity.value for f in read] == ["info", "info"]
    assert read[0].message.endswith("check that each nightly gets a new version")
    assert "the version is read from code or a file" in read[0].help
    unknown = '[project]\nname = "stardust"\n'
    [note, _] = audit_findings({**files, "pyproject.toml": unknown}, select=["SL606"])
    assert note.severity.value == "info"
    assert "shiplint does not know how the version is made" in note.help


def test_skip_with_a_version_the_workflow_makes(audit: AuditFn) -> None:
    wf = """
        on:
          schedule:
            - cron: "0 2 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: sed -i "s/^version = .*/version = \\"2.0.0.dev$(date +%Y%m%d)\\"/" pyproject.toml
              - run: python -m build
              - run: anaconda -t "$TOKEN" upload --skip -u scientific-python-nightly-wheels dist/*.whl
    """
    path = ".github/workflows/nightly.yml"
    files = {path: wf, "pyproject.toml": STATIC_PYPROJECT}
    assert audit(files, select=["SL606"]) == []
    # a VCS version pinned by the workflow is no longer known to change
    pinned = """
        on:
          schedule:
            - cron: "0 2 * * *"
        jobs:
          upload:
            runs-on: ubuntu-latest
            env:
              SETUPTOOLS_SCM_PRETEND_VERSION: 2.0.0.dev0
            steps:
              - run: python -m build
              - run: anaconda -t "$TOKEN" upload --skip -u scientific-python-nightly-wheels dist/*.whl
    """
    assert audit({path: pinned, "pyproject.toml": SCM_PYPROJECT}, select=["SL606"]) == [
        hit("SL606", path, pinned, "--skip"),
    ]
