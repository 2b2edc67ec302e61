"""The two seed incidents, rebuilt from the projects' workflows (tests/incidents/README.md).

Each is checked three ways: as committed (no record: shiplint asks for one), with the
record as it would have been written at the time (shiplint names what is wrong), and
with the record filled in correctly through ``shiplint init`` (clean).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from shiplint.cli import main
from shiplint.findings import Finding
from tests.conftest import pos_of, run_audit

INCIDENTS = Path(__file__).parent / "incidents"
PYLOAD_DAY = dt.date(2024, 4, 20)  # pyload/pyload#4451
H5PY_DAY = dt.date(2025, 2, 25)  # h5py/h5py#2563


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(INCIDENTS / name, root)
    return root


def _deploy(root: Path, today: dt.date) -> list[Finding]:
    return [f for f in run_audit(root, today=today).findings if f.rule.startswith("SL8")]


def _where(f: Finding) -> tuple[str, str, int, int]:
    return (f.rule, f.path, f.line or 0, f.column or 0)


def _at(root: Path, rel: str, needle: str) -> tuple[int, int]:
    return pos_of((root / rel).read_text(encoding="utf-8"), needle)


def _fill(root: Path, values: dict[str, str]) -> None:
    """Replace ``shiplint init``'s placeholders, as a maintainer would by hand."""
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines(keepends=True):
        key = line.split("=", 1)[0].strip()
        if "TODO" in line and key in values:
            line = f"{key} = {values[key]}\n"
        lines.append(line)
    path.write_text("".join(lines), encoding="utf-8")


# --- PyLoad: 400, the token's account has no verified primary email ---------------------------


def test_pyload_as_committed_asks_for_the_account_and_its_email(tmp_path: Path) -> None:
    root = _copy("pyload", tmp_path)
    wf = ".github/workflows/deploy.yml"
    found = _deploy(root, PYLOAD_DAY)
    line, col = _at(root, wf, "pypa/gh-action-pypi-publish")
    assert [_where(f) for f in found] == [("SL801", wf, line, col)]
    finding = found[0]
    assert "PYPI_API_TOKEN" in finding.message
    assert "[tool.shiplint.deploy.pypi]" in finding.help
    assert 'secret = "PYPI_API_TOKEN"' in finding.help
    assert "`account`, `email-verified`" in finding.help


def test_pyload_record_with_lapsed_verification_says_check_the_email(tmp_path: Path) -> None:
    root = _copy("pyload", tmp_path)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n[tool.shiplint.deploy.pypi]\n"
            'index = "pypi"\n'
            'auth = "token"\n'
            'secret = "PYPI_API_TOKEN"\n'
            'account = "vuolter"\n'
            "email-verified = 2022-11-02\n"
            'maintainers = ["vuolter", "GammaC0de"]\n'
        )
    found = _deploy(root, PYLOAD_DAY)
    line, col = _at(root, "pyproject.toml", "2022-11-02")
    assert [_where(f) for f in found] == [("SL807", "pyproject.toml", line, col)]
    assert "`vuolter`'s email was last seen verified 535 days ago" in found[0].message
    assert "Log in as `vuolter`" in found[0].help
    assert "email-verified = 2024-04-20" in found[0].help


def test_pyload_init_then_filled_record_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy("pyload", tmp_path)
    before = (root / "pyproject.toml").read_bytes()
    assert main(["init", str(root)]) == 0
    assert "added 1 deploy record to pyproject.toml: pypi" in capsys.readouterr().out
    after = (root / "pyproject.toml").read_bytes()
    assert after.startswith(before)
    # placeholders keep failing until filled in
    assert {f.rule for f in _deploy(root, PYLOAD_DAY)} == {"SL802"}
    _fill(
        root,
        {
            "account": '"vuolter"',
            "email-verified": "2024-04-20",
            "maintainers": '["vuolter", "GammaC0de"]',
        },
    )
    assert _deploy(root, PYLOAD_DAY) == []
    # a year later the verification date has aged out again
    later = [_where(f)[0] for f in _deploy(root, dt.date(2025, 4, 21))]
    assert later == ["SL807"]


# --- h5py: 401, the token was made for the old org by an account outside the group -----------


def test_h5py_as_committed_asks_for_account_group_and_expiry(tmp_path: Path) -> None:
    root = _copy("h5py", tmp_path)
    wf = ".github/workflows/build_wheels.yml"
    found = _deploy(root, H5PY_DAY)
    line, col = _at(root, wf, "scientific-python/upload-nightly-action")
    assert [_where(f) for f in found] == [("SL801", wf, line, col)]
    finding = found[0]
    assert "channel `scientific-python-nightly-wheels`" in finding.message
    assert "ANACONDA_ORG_UPLOAD_TOKEN" in finding.message
    for key in ("`group`", "`account`", "`token-expires`", "`scopes`"):
        assert key in finding.help


def test_h5py_record_of_the_old_org_token_names_the_channel_and_group(tmp_path: Path) -> None:
    root = _copy("h5py", tmp_path)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n[tool.shiplint.deploy.nightly]\n"
            'index = "anaconda"\n'
            'channel = "scipy-wheels-nightly"\n'
            'auth = "token"\n'
            'secret = "ANACONDA_ORG_UPLOAD_TOKEN"\n'
            'account = "takluyver"\n'
            'account-kind = "personal"\n'
            'scopes = ["api:read", "api:write", "pypi:upload"]\n'
            "token-expires = 2026-02-24\n"
            'maintainers = ["takluyver", "tacaswell"]\n'
        )
    wf = ".github/workflows/build_wheels.yml"
    found = _deploy(root, H5PY_DAY)
    header = _at(root, "pyproject.toml", "[tool.shiplint.deploy.nightly]")
    upload = _at(root, wf, "scientific-python/upload-nightly-action")
    assert [_where(f) for f in found] == [
        ("SL818", wf, *upload),
        ("SL802", "pyproject.toml", *header),
    ]
    channel, missing_group = found
    assert "has no `group`" in missing_group.message
    assert "`scientific-python-nightly-wheels`" in channel.message
    assert "`scipy-wheels-nightly`" in channel.message
    assert "401 User is not authorized" in channel.help


def test_h5py_init_then_filled_record_is_clean(tmp_path: Path) -> None:
    root = _copy("h5py", tmp_path)
    before = (root / "pyproject.toml").read_bytes()
    assert main(["init", str(root)]) == 0
    assert (root / "pyproject.toml").read_bytes().startswith(before)
    todo = {f.rule for f in _deploy(root, H5PY_DAY)}
    assert todo == {"SL802"}
    _fill(
        root,
        {
            "group": '"h5py"',
            "account": '"takluyver"',
            "account-kind": '"personal"',
            "scopes": '["api:read", "api:write", "pypi:upload"]',
            "token-expires": "2026-05-14",
            "maintainers": '["takluyver", "tacaswell"]',
        },
    )
    assert _deploy(root, H5PY_DAY) == []
    # an organization token, or one missing pypi:upload, is refused
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace('account-kind = "personal"', 'account-kind = "organization"')
    text = text.replace('"api:write", "pypi:upload"]', '"api:write"]')
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    assert sorted(f.rule for f in _deploy(root, H5PY_DAY)) == ["SL803", "SL804"]
    # and the expiry is watched
    assert [f.rule for f in _deploy(root, dt.date(2026, 4, 30))] == ["SL803", "SL804", "SL806"]
