"""Check the Bedrock set-up before the first run (and after changing a model id or region).

    python manage.py check_bedrock

Credentials and region; each configured model described by the control plane
and not LEGACY; one small Converse call per model with the real tool schema,
showing latency, tokens and £ per call. Exits 1 with one sentence naming the
model and what to change.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from notifications.analysis.analysts.bedrock.preflight import ModelCheck, run_preflight


class Command(BaseCommand):
    help = "Check AWS credentials, region and every configured Bedrock model with one small call each."

    def handle(self, *args, **options) -> None:
        report = run_preflight()
        if report.credentials:
            self.stdout.write(f"Region {report.region}; AWS credentials from {report.credentials}.")
        for check in report.models:
            self.stdout.write(describe(check))
        if not report.ok:
            raise CommandError(report.sentence)
        self.stdout.write(self.style.SUCCESS("Bedrock is ready."))


def describe(check: ModelCheck) -> str:
    line = f"{check.model_id} ({check.setting}; {check.role}): {check.lifecycle or 'lifecycle unknown'}"
    if (u := check.usage) is not None:
        line += (
            f"; test call {u.latency_ms:,} ms, {u.input_tokens:,} input + {u.output_tokens:,} output tokens"
            f" (cache read {u.cache_read_tokens:,}, write {u.cache_write_tokens:,}), £{u.cost_gbp:.4f} per call"
        )
    return line + "".join(f"; {note}" for note in check.notes)
