"""Nightly wheels uploaded less often than the nightly index keeps them (E-10).

The uploads to scientific-python-nightly-wheels are followed to the workflows that run them
(directly, through scripts, or as reusable workflows) and their ``schedule`` crons are
checked with :mod:`shiplint.gha.cron`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.gha.cron import longest_pause
from shiplint.gha.scenarios import event_facts, reaches
from shiplint.model import Loc
from shiplint.model.script_uploads import conditional_targets
from shiplint.model.workflows import dispatch_sources, run_sources, upload_workflows
from shiplint.parse.yamlnodes import YMap, YSeq
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, Step, Upload, Workflow
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.project import Project
    from shiplint.source import SourceFile


def _nightly_upload(project: Project, upload: Upload) -> bool:
    """Whether ``upload`` goes (or may go, by a shell condition) to the nightly org."""
    if upload.family != "anaconda":
        return False
    org = facts_mod.load().nightly_org
    values = [upload.target.text] if upload.target is not None else []
    values += conditional_targets(project, upload)
    return any(v.strip().strip("\"'") == org for v in values)


def _crons(workflow: Workflow) -> list[YScalar]:
    """The ``cron:`` values of the workflow's ``schedule`` trigger."""
    schedule = workflow.triggers.get("schedule")
    items = schedule.items if isinstance(schedule, YSeq) else []
    out = []
    for item in items:
        cron = item.get_scalar("cron") if isinstance(item, YMap) else None
        if cron is not None and not cron.is_null:
            out.append(cron)
    return out


def _scalar_loc(src: SourceFile, scalar: YScalar) -> Loc:
    """Where a scalar's value is written, inside its quotes when it is quoted plainly."""
    loc = Loc(src, scalar.start, scalar.end)
    if loc.text[:1] in ("'", '"') and loc.text[1:-1] == scalar.value:
        return Loc(src, scalar.start + 1, scalar.end - 1)
    return loc


@register
class NightlyCadence(Rule):
    """Nightly wheels go to scientific-python-nightly-wheels less often than the index
    keeps them.

    The index of scientific-python-nightly-wheels is cleaned every day: besides keeping
    only the latest five versions, it removes every version last uploaded more than
    **30 days** ago, the latest ones included (upload-nightly-action's `remove-wheels.yml`,
    unchanged in substance as of 2026-08-20; only the packages listed in its
    `packages-ignore-from-cleanup.txt`, `openblas-libs` today, are spared). Since 2026-08-20
    the action's repository also opens an issue on a project after 15 days without an
    upload (`stale-wheels.yml`). A workflow that uploads
    less often — a `schedule` whose cron leaves more than 30 days between runs (a fixed
    month, a day of month that not every month has), or no schedule at all, only
    `workflow_dispatch` or releases — leaves the project's nightlies missing for days or
    weeks, and downstream `pip install --pre` jobs using that index fail or fall back to
    old releases (catalogue E-10; numpy/numpy#25907).

    shiplint follows uploads to the nightly org (upload-nightly-action, `anaconda upload
    -u scientific-python-nightly-wheels`, also from scripts and reusable workflows) to the
    workflows that run them and checks the triggers that reach the upload step. A
    workflow that uploads on pushes but has no schedule is reported as information: a
    month without commits empties the index.

    Fix: run the nightly workflow on a `schedule` at least weekly, e.g.
    `- cron: "0 3 * * 1"`. Note that GitHub disables the schedules of a public repository
    after 60 days without activity.
    """

    code = "SL914"
    name = "nightly-cadence"
    severity = Severity.WARNING
    summary = "Nightly uploads less often than the 30-day retention of the nightly index"
    catalogue = ("E-10",)
    example_file = ".github/workflows/nightly.yml"
    before = (
        "on:\n  workflow_dispatch:\n  schedule:\n    - cron: '0 3 1 */2 *'\n"
        "jobs:\n  upload:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: scientific-python/upload-nightly-action@"
        "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4\n"
        "        with:\n          artifacts_path: dist\n"
        "          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "on:\n  workflow_dispatch:\n  schedule:\n    - cron: '0 3 * * 1'\n"
        "jobs:\n  upload:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: scientific-python/upload-nightly-action@"
        "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4\n"
        "        with:\n          artifacts_path: dist\n"
        "          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        data = facts_mod.toml_data()
        days = int(data["nightly"]["retention-days"])
        disabled = int(data["github"]["schedule-disabled-after-days"])
        org = facts_mod.load().nightly_org
        done: set[int] = set()
        for upload in model.uploads:
            if not _nightly_upload(project, upload):
                continue
            for workflow, job, step in upload_workflows(model, upload):
                if id(workflow) in done:
                    continue
                done.add(id(workflow))
                condition = upload.condition if job is upload.job else None
                finding = self._judge(model, workflow, job, step, days, org, disabled, condition)
                if finding is not None:
                    yield finding

    def _judge(
        self,
        model: ReleaseModel,
        workflow: Workflow,
        job: Job | None,
        step: Step | None,
        days: int,
        org: str,
        disabled: int,
        condition: str | None = None,
    ) -> Finding | None:
        src = workflow.source
        reached = [
            t for t in workflow.triggers if reaches(workflow, job, step, event_facts(t), condition)
        ]
        pairs = [(workflow, c) for c in _crons(workflow)] if "schedule" in reached else []
        if not pairs and "workflow_run" in reached:
            pairs = [(w, c) for w in run_sources(model, workflow) for c in _crons(w)]
        if not pairs and "workflow_dispatch" in reached:
            pairs = [(w, c) for w in dispatch_sources(model, workflow) for c in _crons(w)]
        help_text = (
            f"The nightly index deletes every upload older than {days} days, so the "
            f"project's wheels disappear until the next upload. Run the workflow on a "
            f'schedule at least weekly (`schedule: [{{cron: "0 3 * * 1"}}]`); GitHub '
            f"disables the schedules of a public repository after {disabled} days without "
            f"activity, so keep an eye on it."
        )
        if pairs:
            pause = longest_pause([c.value for _w, c in pairs])
            if pause is None or pause <= days:
                return None
            owner, cron = pairs[0]
            listed = ", ".join(f"`{c.value}`" for _w, c in pairs)
            return self.at(
                _scalar_loc(owner.source, cron),
                f"nightly uploads to `{org}` run up to {pause} days apart (cron {listed}); "
                f"the index deletes uploads older than {days} days",
                help_text,
            )
        key = workflow.trigger_keys.get("schedule") or workflow.on_key
        if key is None or not reached or reached == ["workflow_call"]:
            return None
        push = "push" in reached
        how = ", ".join(f"`{t}`" for t in reached)
        return self.at(
            Loc(src, key.start, key.end),
            f"nightly uploads to `{org}` have no schedule (they run on {how}): the index "
            f"deletes uploads older than {days} days",
            help_text,
            severity=Severity.INFO if push else None,
        )
