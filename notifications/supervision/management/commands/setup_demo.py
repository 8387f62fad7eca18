"""python manage.py setup_demo [--customers 1000] [--seed 7] [--reset-passwords]

Idempotent demo setup for `make run`: demo data (generated, then imported with
`import_datasets`) only when the database has no customers, the role groups,
and the users agent/supervisor/admin. Running it again changes nothing: data
is not regenerated and existing users keep their passwords.

Passwords are taken from DEMO_<USER>_PASSWORD or generated. Generated ones are
printed once and kept in var/demo-passwords.txt (readable by you only) so that
`make run` can say where they are; `--reset-passwords` sets new ones for a
second run (and lifts any login lockout on the demo users).
"""

import os
import secrets
from pathlib import Path

from axes.utils import reset as reset_lockouts
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
PASSWORDS_FILE_NAME = "demo-passwords.txt"  # under settings.VAR_DIR (git-ignored); scripts/run_demo.sh names it too


def passwords_file() -> Path:
    return Path(settings.VAR_DIR) / PASSWORDS_FILE_NAME


def _shown(path: Path) -> str:
    """The path as typed from the project directory (where `make run` is), else in full."""
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = "Load demo data (if the database has no customers) and create the demo users and role groups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--out", type=Path, default=None, help="where to write the generated CSV files (default var/demo-data)"
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the demo users new passwords (DEMO_*_PASSWORD or generated) and lift their login lockouts",
        )

    def handle(self, *args: object, **options: object) -> None:
        if Customer.objects.exists():
            self.stdout.write("demo data already present")
        else:
            out = options["out"] or Path(settings.VAR_DIR) / "demo-data"
            self._load_data(out, options["customers"], options["seed"])
        # Re-applied on every run so that permission changes in notifications/staff/roles.py reach existing groups.
        sync_role_groups(Group, Permission)
        self._create_users(reset=options["reset_passwords"])

    def _load_data(self, out: Path, customers: int, seed: int) -> None:
        # Today's date as the export date, so the demo's history is recent whenever it is set up.
        counts = generate_dataset(out, customers=customers, seed=seed, as_of=timezone.localdate())
        self.stdout.write(f"Generated {sum(counts.values()):,} rows for {customers:,} demo customers in {out}")
        call_command("import_datasets", str(out), stdout=self.stdout, stderr=self.stderr)

    def _create_users(self, *, reset: bool) -> None:
        user_model = get_user_model()
        generated: list[tuple[str, str]] = []
        from_env: list[tuple[str, str]] = []
        with transaction.atomic():
            for username, group_name, variable, is_staff, is_superuser in DEMO_USERS:
                user = user_model.objects.filter(username=username).first()
                if user is None or reset:
                    password = os.environ.get(variable) or ""
                    if password:
                        from_env.append((username, variable))
                    else:
                        password = secrets.token_urlsafe(12)
                        generated.append((username, password))
                if user is None:
                    user = user_model.objects.create_user(
                        username=username,
                        email=f"{username}@demo.invalid",
                        password=password,
                        is_staff=is_staff,
                        is_superuser=is_superuser,
                    )
                elif reset:
                    user.set_password(password)
                    user.is_active = True
                    user.save(update_fields=["password", "is_active"])
                    reset_lockouts(username=username)
                user.groups.add(Group.objects.get(name=group_name))
        if not generated and not from_env:
            self.stdout.write("demo users already present (passwords unchanged; --reset-passwords sets new ones)")
            return
        verb = "Set a new password for" if reset else "Created user"
        for username, variable in from_env:
            self.stdout.write(f"{verb} {username!r} with the password from {variable}")
        _save_passwords({**dict(generated), **{u: f"(the {v} variable)" for u, v in from_env}})
        if generated:
            self._print_box(generated)

    def _print_box(self, credentials: list[tuple[str, str]]) -> None:
        lines = [f"Demo users (passwords also in {_shown(passwords_file())}):", ""]
        lines += [f"  {username:<11} {password}" for username, password in credentials]
        lines += ["", f"Log in at {settings.SITE_URL}/  (admin: /{settings.ADMIN_URL})"]
        width = max(map(len, lines))
        self.stdout.write("+" + "-" * (width + 2) + "+")
        for line in lines:
            self.stdout.write(f"| {line:<{width}} |")
        self.stdout.write("+" + "-" * (width + 2) + "+")


def _save_passwords(changed: dict[str, str]) -> None:
    """Write the demo users' passwords (or where they come from), keeping the lines of users not changed now."""
    path = passwords_file()
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            username, _, password = line.partition(" ")
            if username and not username.startswith("#"):
                known[username] = password.strip()
    known.update(changed)
    lines = [
        "# The demo users' passwords, written by `manage.py setup_demo`.",
        "# New passwords: .venv/bin/python manage.py setup_demo --reset-passwords",
        *(f"{username:<11} {known[username]}" for username, *_ in DEMO_USERS if username in known),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    # Owner-only from the first byte: the file is created with mode 0600, and an older file is narrowed too.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
