"""python manage.py setup_demo [--customers 1000] [--seed 7]

Idempotent demo setup for `make run`: demo data (generated, then imported with
`import_datasets`) only when the database has no customers, the role groups,
and the users agent/supervisor/admin. Running it again changes nothing: data
is not regenerated and existing users keep their passwords.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from customers.demo_data import generate_dataset
from customers.models import Customer
from notifications.staff.roles import ADMINS, AGENTS, SUPERVISORS, sync_role_groups

# username, group, password variable, is_staff, is_superuser
DEMO_USERS = (
    ("agent", AGENTS, "DEMO_AGENT_PASSWORD", False, False),
    ("supervisor", SUPERVISORS, "DEMO_SUPERVISOR_PASSWORD", True, False),
    ("admin", ADMINS, "DEMO_ADMIN_PASSWORD", True, True),
)


class Command(BaseCommand):
    help = "Load demo data (if the database has no customers) and create the demo users and role groups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--out", type=Path, default=None, help="where to write the generated CSV files (default var/demo-data)"
        )

    def handle(self, *args: object, **options: object) -> None:
        if Customer.objects.exists():
            self.stdout.write("demo data already present")
        else:
            out = options["out"] or Path(settings.VAR_DIR) / "demo-data"
            self._load_data(out, options["customers"], options["seed"])
        # Re-applied on every run so that permission changes in notifications/staff/roles.py reach existing groups.
        sync_role_groups(Group, Permission)
        self._create_users()

    def _load_data(self, out: Path, customers: int, seed: int) -> None:
        # Today's date as the export date, so the demo's history is recent whenever it is set up.
        counts = generate_dataset(out, customers=customers, seed=seed, as_of=timezone.localdate())
        self.stdout.write(f"Generated {sum(counts.values()):,} rows for {customers:,} demo customers in {out}")
        call_command("import_datasets", str(out), stdout=self.stdout, stderr=self.stderr)

    def _create_users(self) -> None:
        user_model = get_user_model()
        generated: list[tuple[str, str]] = []
        from_env: list[tuple[str, str]] = []
        with transaction.atomic():
            for username, group_name, variable, is_staff, is_superuser in DEMO_USERS:
                user = user_model.objects.filter(username=username).first()
                if user is None:
                    password = os.environ.get(variable) or ""
                    if password:
                        from_env.append((username, variable))
                    else:
                        password = secrets.token_urlsafe(12)
                        generated.append((username, password))
                    user = user_model.objects.create_user(
                        username=username,
                        email=f"{username}@demo.invalid",
                        password=password,
                        is_staff=is_staff,
                        is_superuser=is_superuser,
                    )
                user.groups.add(Group.objects.get(name=group_name))
        if not generated and not from_env:
            self.stdout.write("demo users already present (passwords unchanged)")
            return
        for username, variable in from_env:
            self.stdout.write(f"Created user {username!r} with the password from {variable}")
        if generated:
            self._print_box(generated)

    def _print_box(self, credentials: list[tuple[str, str]]) -> None:
        # Shown once: the passwords are stored hashed, so this is the only chance to copy them.
        lines = ["Demo users (shown only now - copy these passwords):", ""]
        lines += [f"  {username:<11} {password}" for username, password in credentials]
        lines += ["", "Log in at http://127.0.0.1:8000/  (admin: /admin/)"]
        width = max(map(len, lines))
        self.stdout.write("+" + "-" * (width + 2) + "+")
        for line in lines:
            self.stdout.write(f"| {line:<{width}} |")
        self.stdout.write("+" + "-" * (width + 2) + "+")
