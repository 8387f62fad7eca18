"""Admin access follows the role: Supervisors and Admins are staff, Agents never; superusers untouched."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from notifications.staff.roles import ADMINS, AGENTS, SUPERVISORS
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


def can_open_the_admin(user) -> bool:
    client = Client()
    client.force_login(user)
    return client.get(reverse("admin:index")).status_code == 200


def change_groups_in_the_admin(admin_client: Client, user, groups: list[Group]) -> None:
    """What an admin does on the user's change page: tick or untick groups, leave "Staff status" alone."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [g.pk for g in groups],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_admin_adding_a_user_to_supervisors_gives_admin_access_and_removing_takes_it(as_admin):
    user = make_role_user("nell", AGENTS)
    assert not can_open_the_admin(user)

    change_groups_in_the_admin(as_admin, user, [Group.objects.get(name=SUPERVISORS)])
    user.refresh_from_db()
    assert user.is_staff and can_open_the_admin(user)

    change_groups_in_the_admin(as_admin, user, [Group.objects.get(name=AGENTS)])
    user.refresh_from_db()
    assert not user.is_staff and not can_open_the_admin(user)


def test_a_logged_in_supervisor_loses_the_admin_when_removed_from_the_group(client):
    sue = make_role_user("sue", SUPERVISORS)
    client.force_login(sue)
    assert client.get(reverse("control:dashboard")).status_code == 200
    sue.groups.remove(Group.objects.get(name=SUPERVISORS))
    response = client.get(reverse("control:dashboard"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("name", ["admin:index", "admin:queue_notification_changelist", "control:dashboard"])
def test_an_agent_made_staff_by_hand_still_gets_no_admin_page(client, name):
    agent = make_role_user("agnes", AGENTS, is_staff=True)
    agent.refresh_from_db()
    assert not agent.is_staff
    client.force_login(agent)
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_ticking_staff_status_without_a_role_does_not_stick():
    user = make_role_user("agnes", AGENTS)
    user.is_staff = True
    user.save()
    assert not get_user_model().objects.get(pk=user.pk).is_staff


def test_changes_from_the_group_side_count_too():
    a, b = make_role_user("a", AGENTS), make_role_user("b", AGENTS)
    admins = Group.objects.get(name=ADMINS)
    admins.user_set.add(a, b)
    assert set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True)) == {"a", "b"}
    admins.user_set.remove(a)
    assert set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True)) == {"b"}
    admins.user_set.clear()
    assert not get_user_model().objects.filter(is_staff=True).exists()


def test_either_staff_role_is_enough():
    user = make_role_user("both", SUPERVISORS)
    user.groups.add(Group.objects.get(name=ADMINS))
    user.groups.remove(Group.objects.get(name=SUPERVISORS))
    user.refresh_from_db()
    assert user.is_staff
    user.groups.clear()
    user.refresh_from_db()
    assert not user.is_staff


def test_superusers_are_left_alone():
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-for-tests-only")
    root.groups.add(Group.objects.get_or_create(name=AGENTS)[0])
    root.groups.clear()
    root.refresh_from_db()
    assert root.is_staff and can_open_the_admin(root)


def test_the_user_page_shows_staff_status_as_following_the_groups(admin_client):
    agent = make_role_user("ailsa", AGENTS)
    page = admin_client.get(reverse("admin:auth_user_change", args=[agent.pk])).content.decode()
    assert 'name="is_staff"' not in page  # not an input: the groups decide
    assert "staff status follows" in page
