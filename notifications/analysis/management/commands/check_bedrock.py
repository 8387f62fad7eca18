"""Check the Bedrock set-up before the first run (and after changing a model id or region).

    python manage.py check_bedrock

Credentials and region; each configured model described by the control plane
and not LEGACY; one small Converse call per model with the real tool schema,
showing latency, tokens and £ per call. Exits 1 with one sentence naming the
model and what to change. The admin's Provider settings page runs the same
check ("Check connection").
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from notifications.analysis.analysts.bedrock.preflight import report_lines, run_preflight


class Command(BaseCommand):
    help = "Check AWS credentials, region and every configured Bedrock model with one small call each."

    def handle(self, *args, **options) -> None:
        report = run_preflight()
        for line in report_lines(report):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(report.sentence)
        self.stdout.write(self.style.SUCCESS("Bedrock is ready."))
