"""The rule registry: the generated code/name index, and families loaded by file kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import shiplint.rules as registry
from shiplint.rules import RULE_MODULES, all_rules, family_of, index_text, matching, rules_for

INDEX = Path(registry.__file__).with_name("index.py")


def test_index_is_current() -> None:
    """Regenerate with ``python -c 'import shiplint.rules as r; r.write_index()'``."""
    assert INDEX.read_text(encoding="utf-8") == index_text()


def test_every_rule_belongs_to_a_family() -> None:
    assert {family_of(rule) for rule in all_rules()} == set(RULE_MODULES)


def test_matching_reads_the_index() -> None:
    assert matching(["SL00"]) == {f"SL00{i}" for i in range(1, 8)}
    assert matching(["ALL"]) == {rule.code for rule in all_rules()}
    assert matching(["parse-error"]) == {"SL001"}


def test_rules_for_kinds() -> None:
    everything = {rule.code for rule in all_rules()}
    assert {r.code for r in rules_for(["workflow", "pyproject", "tox-ini"])} == everything
    only_any = {r.code for r in rules_for([])}
    assert only_any == {r.code for r in all_rules() if RULE_MODULES[family_of(r)] == ("any",)}
    workflow = {family_of(r) for r in rules_for(["workflow"])}
    assert "versioning" not in workflow and "artifacts" in workflow
    assert {r.code for r in rules_for(["workflow"], ["SL101"])} <= matching(["SL1"])


def test_a_workflow_only_audit_imports_no_build_rules(tmp_path: Path) -> None:
    """A fresh process auditing one workflow imports neither the version nor the tox rules."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from shiplint.engine import Options, audit_root\n"
        f"audit_root({str(tmp_path)!r}, Options())\n"
        "print(sorted(m for m in sys.modules if m.startswith('shiplint.rules.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    for family in ("versioning", "metadata_version", "tox_envs"):
        assert f"'shiplint.rules.{family}'" not in out
    assert "'shiplint.rules.publish_action'" in out
