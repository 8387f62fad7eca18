"""setup_demo: loads demo data once, creates the three demo users in their groups, and is idempotent;
the passwords it sets are kept in var/demo-passwords.txt (owner-only), and --reset-passwords sets new ones."""

import io
import re
import stat

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command

from customers import models
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PASSWORD_VARIABLES = ("DEMO_AGENT_PASSWORD", "DEMO_SUPERVISOR_PASSWORD", "DEMO_ADMIN_PASSWORD")


@pytest.fixture(autouse=True)
def no_password_variables(monkeypatch):
    for variable in PASSWORD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.SITE_URL = "http://127.0.0.1:8000"
    return settings.VAR_DIR


def passwords_on_file(var_dir) -> dict[str, str]:
    lines = (var_dir / "demo-passwords.txt").read_text().splitlines()
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1].strip() for line in lines if not line.startswith("#")}


def run(tmp_path, *args: str) -> str:
    out = io.StringIO()
    call_command("setup_demo", "--customers", "40", "--seed", "3", "--out", str(tmp_path), *args, stdout=out)
    return out.getvalue()


def boxed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\|\s+(agent|supervisor|admin)\s+(\S+)\s+\|$", output, re.MULTILINE))


def test_first_run_loads_data_and_creates_users_in_their_groups(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "admin-from-env-9f3k")
    output = run(tmp_path)

    assert models.Customer.objects.count() == 40
    assert models.AccountActivity.objects.count() >= 40
    assert (tmp_path / "Customer Profiles.csv").exists()

    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"agent", "supervisor", "admin"}
    assert [g.name for g in users["agent"].groups.all()] == ["Agents"]
    assert [g.name for g in users["supervisor"].groups.all()] == ["Supervisors"]
    assert [g.name for g in users["admin"].groups.all()] == ["Admins"]
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["supervisor"].is_staff and not users["supervisor"].is_superuser
    assert not users["agent"].is_staff and not users["agent"].is_superuser

    # generated passwords are printed once in the box and work; the env password is used but not printed
    printed = boxed_passwords(output)
    assert set(printed) == {"agent", "supervisor"}
    assert users["agent"].check_password(printed["agent"])
    assert users["supervisor"].check_password(printed["supervisor"])
    assert printed["agent"] != printed["supervisor"]
    assert users["admin"].check_password("admin-from-env-9f3k")
    assert "admin-from-env-9f3k" not in output
    assert "DEMO_ADMIN_PASSWORD" in output


def test_second_run_changes_nothing(tmp_path):
    run(tmp_path)
    user_model = get_user_model()
    hashes = dict(user_model.objects.values_list("username", "password"))
    counts = (models.Customer.objects.count(), models.Interaction.objects.count(), user_model.objects.count())

    output = run(tmp_path, "--customers", "60")

    assert "demo data already present" in output
    assert boxed_passwords(output) == {}
    assert dict(user_model.objects.values_list("username", "password")) == hashes
    assert (models.Customer.objects.count(), models.Interaction.objects.count(), user_model.objects.count()) == counts


def test_existing_customers_are_left_alone_but_users_are_still_created(tmp_path):
    CustomerFactory()
    output = run(tmp_path)
    assert "demo data already present" in output
    assert models.Customer.objects.count() == 1
    assert not (tmp_path / "Customer Profiles.csv").exists()
    assert set(get_user_model().objects.values_list("username", flat=True)) == {"agent", "supervisor", "admin"}


def test_the_passwords_are_kept_in_an_owner_only_file(tmp_path, var_dir, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "admin-from-env-9f3k")
    output = run(tmp_path)

    printed = boxed_passwords(output)
    assert passwords_on_file(var_dir) == {
        "agent": printed["agent"],
        "supervisor": printed["supervisor"],
        "admin": "(the DEMO_ADMIN_PASSWORD variable)",
    }
    assert stat.S_IMODE((var_dir / "demo-passwords.txt").stat().st_mode) == 0o600
    assert "passwords also in" in output and "demo-passwords.txt" in output
    assert "Log in at http://127.0.0.1:8000/  (admin: /admin/)" in output
    assert "admin-from-env-9f3k" not in (var_dir / "demo-passwords.txt").read_text()


def test_a_second_run_leaves_the_password_file_alone(tmp_path, var_dir):
    run(tmp_path)
    before = (var_dir / "demo-passwords.txt").read_text()

    output = run(tmp_path)

    assert "passwords unchanged; --reset-passwords sets new ones" in output
    assert (var_dir / "demo-passwords.txt").read_text() == before


def test_reset_passwords_gives_every_demo_user_a_new_working_password_and_lifts_lockouts(tmp_path, var_dir):
    first = boxed_passwords(run(tmp_path))
    AccessAttempt.objects.create(username="supervisor", ip_address="127.0.0.1", failures_since_start=5)

    output = run(tmp_path, "--reset-passwords")

    second = boxed_passwords(output)
    assert set(second) == {"agent", "supervisor", "admin"}
    users = {u.username: u for u in get_user_model().objects.all()}
    for username in ("agent", "supervisor", "admin"):
        assert second[username] != first[username]
        assert users[username].check_password(second[username])
        assert not users[username].check_password(first[username])
    assert passwords_on_file(var_dir) == second
    assert not AccessAttempt.objects.filter(username="supervisor").exists()
    assert models.Customer.objects.count() == 40  # the data is not touched


def test_reset_passwords_takes_a_password_variable_when_set(tmp_path, var_dir, monkeypatch):
    first = boxed_passwords(run(tmp_path))
    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "agent-from-env-7c2q")

    output = run(tmp_path, "--reset-passwords")

    agent = get_user_model().objects.get(username="agent")
    assert agent.check_password("agent-from-env-7c2q")
    assert "Set a new password for 'agent' with the password from DEMO_AGENT_PASSWORD" in output
    on_file = passwords_on_file(var_dir)
    assert on_file["agent"] == "(the DEMO_AGENT_PASSWORD variable)"
    assert on_file["supervisor"] != first["supervisor"]
