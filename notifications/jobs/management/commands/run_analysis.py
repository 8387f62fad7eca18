"""Start (or cancel) a segmentation and prioritisation run.

    python manage.py run_analysis [--provider offline|bedrock] [--force] [--wait | --inline] [--json]
    python manage.py run_analysis --cancel JOB_ID

The work happens on Celery workers; this command starts the job (or finds the
one already running) and, with --wait, follows the job row until it finishes.
When no worker picks the job up within a few seconds it says so; --inline runs
the job in this process instead, with the same progress bar.
"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.analysis.models import AnalysisJob
from notifications.jobs.pipeline import process_chunk
from notifications.jobs.selectors import JobHealth, job_health, job_summary
from notifications.jobs.services import cancel_job, start_job

BAR_WIDTH = 30
WORKER_HINT_AFTER = 5  # seconds queued before saying that no worker has picked the job up
NO_WORKER = (
    "No worker has picked up job {pk} in {seconds}s: is one running? Start one with "
    "`.venv/bin/celery -A notification_engine worker -P prefork -c 2`, or run the job here with --inline."
)
WORKER_HINT = "Start one with `scripts/prod_start.sh worker` (or `.venv/bin/celery -A notification_engine worker`)."


class Command(BaseCommand):
    help = "Start an analysis job on the Celery workers (or cancel one)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--provider", choices=["offline", "bedrock"], help="Default: settings.AI_PROVIDER.")
        parser.add_argument("--force", action="store_true", help="Re-analyse customers whose data has not changed.")
        parser.add_argument("--wait", action="store_true", help="Follow the job until it finishes.")
        parser.add_argument(
            "--inline", action="store_true", help="Run the job in this process (no worker needed), with progress."
        )
        parser.add_argument("--json", action="store_true", help="Print the job as JSON.")
        parser.add_argument("--cancel", type=int, metavar="JOB_ID", help="Cancel a queued or running job.")
        parser.add_argument("--timeout", type=float, default=0, help="With --wait: give up after this many seconds.")

    def handle(self, *args, **options) -> None:
        if options["cancel"] is not None:
            job = AnalysisJob.objects.filter(pk=options["cancel"]).first()
            if job is None:
                raise CommandError(f"No job {options['cancel']}.")
            was = job.status
            job = cancel_job(job)
            self._emit(job, options, f"Job {job.pk}: {was} → {job.status}.")
            return

        job = start_job(provider=options["provider"], force=options["force"], dispatch=not options["inline"])
        if options["inline"]:
            job = self._run_here(job, options)
        elif not options["wait"]:
            self._check_picked_up(job)
            self._emit(job, options, f"Job {job.pk} {job.status} ({job.provider}, {job.total:,} customers).")
            return
        else:
            job = self._follow(job, options)
        self._emit(job, options, self._summary(job))
        if job.status == AnalysisJob.Status.FAILED:
            raise CommandError(job.error or "The job failed.")

    def _check_picked_up(self, job: AnalysisJob) -> None:
        """Within a few seconds, say so if no worker has started the job."""
        deadline = time.monotonic() + WORKER_HINT_AFTER
        while job.status == AnalysisJob.Status.QUEUED and time.monotonic() < deadline:
            time.sleep(0.25)
            job.refresh_from_db(fields=["status"])
        if job.status == AnalysisJob.Status.QUEUED:
            self.stderr.write(NO_WORKER.format(pk=job.pk, seconds=WORKER_HINT_AFTER))

    def _run_here(self, job: AnalysisJob, options) -> AnalysisJob:
        """Every unfinished chunk, in this process and in order, with the progress bar."""
        tty = sys.stdout.isatty() and not options["json"]
        for chunk_id in job.chunks.order_by("index").values_list("pk", flat=True):
            try:
                process_chunk(chunk_id)
            except AnalystUnavailable:
                process_chunk(chunk_id, final_attempt=True)  # the offline analyst answers, marked as a fallback
            job.refresh_from_db()
            if tty:
                self.stdout.write("\r" + self._bar(job), ending="")
                self.stdout.flush()
        if tty:
            self.stdout.write("")
        job.refresh_from_db()
        return job

    def _follow(self, job: AnalysisJob, options) -> AnalysisJob:
        """Poll the job row; say so (on stderr, once per change) whenever the job is not simply running."""
        tty = sys.stdout.isatty() and not options["json"]
        started = time.monotonic()
        said, hinted = "", False
        while True:
            job.refresh_from_db()
            health = job_health(job)
            if tty:
                self.stdout.write("\r" + self._bar(job, health), ending="")
                self.stdout.flush()
            if job.is_finished:
                break
            if health.message != said:
                said = health.message
                if said:
                    hint = f" {WORKER_HINT}" if health.state == "waiting" else ""
                    self.stderr.write(("\n" if tty else "") + f"Job {job.pk}: {said}.{hint}")
            waited = time.monotonic() - started
            if not hinted and job.status == AnalysisJob.Status.QUEUED and waited > WORKER_HINT_AFTER:
                hinted = True
                self.stderr.write("\n" + NO_WORKER.format(pk=job.pk, seconds=WORKER_HINT_AFTER))
            if options["timeout"] and waited > options["timeout"]:
                raise CommandError(f"Job {job.pk} still {job.status} after {options['timeout']:.0f}s.")
            time.sleep(0.5)
        if tty:
            self.stdout.write("")
        return job

    @staticmethod
    def _bar(job: AnalysisJob, health: JobHealth) -> str:
        filled = int(BAR_WIDTH * job.percent / 100)
        state = job.status if health.state in ("running", "finished") else health.state
        return (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {job.percent:3d}% "
            f"{job.processed:,}/{job.total:,}  skipped {job.skipped:,}  fallbacks {job.fallbacks:,}  {state}"
        )

    @staticmethod
    def _summary(job: AnalysisJob) -> str:
        seconds = (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else 0
        segments = ", ".join(f"{name} {count:,}" for name, count in sorted((job.segment_counts or {}).items()))
        lines = [
            f"Job {job.pk} {job.status} in {seconds:.1f}s ({job.provider}{', forced' if job.force else ''})",
            f"  customers     {job.total:,}  (analysed {job.done:,}, skipped unchanged {job.skipped:,}, "
            f"failed {job.failed:,})",
            f"  segments      {segments or '—'}",
            f"  Value Seekers {job.value_seekers:,}  contactable {job.contactable:,}  drafts {job.drafts:,}",
            f"  fallbacks     {job.fallbacks:,}",
            f"  cost          £{job.cost_gbp:.4f}  ({job.input_tokens:,} input / {job.output_tokens:,} output tokens)",
        ]
        if job.error:
            lines.append(f"  note          {job.error}")
        return "\n".join(lines)

    def _emit(self, job: AnalysisJob, options, text: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(job_summary(job), indent=2))
        else:
            self.stdout.write(text)
