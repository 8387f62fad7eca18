"""setup_demo: loads demo data once, creates the three demo users in their groups, and is idempotent."""

import io
import re

import pytest
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
