"""The control room's admin site: its index is grouped by what supervisors do, not by database app.

Django lists models app by app (22+ of them for a supervisor, internals included). Here the index shows
sections: the queue, results, the audit trails, policies, the budget, imports and customer data; the
system's own tables (chunks, provider receipts, the beat schedule, login lockouts) only to admins.
A section shows only what the user may open, so an agent-facing permission never leaks a link.

Installed in place of django.contrib.admin (settings.INSTALLED_APPS), so `admin.site` is this site.
Nothing here imports a model: it is loaded while the app registry is still being populated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.urls import reverse

from notifications.staff.roles import SYSTEM_TABLES_PERMISSION


@dataclass(frozen=True)
class Link:
    """A control-room page that is not a model's list, shown to those with `perm`."""

    name: str
    url_name: str
    perm: str


@dataclass(frozen=True)
class Section:
    name: str
    slug: str  # the CSS class ("app-<slug>") and row ids
    items: tuple[str | Link, ...]  # "app_label.model_name", "app_label.*" (the whole app) or a Link
    perm: str = ""  # if set, the section is shown only to users with this permission


SECTIONS = (
    Section(
        "Queue",
        "queue",
        (
            Link("Supervisor dashboard", "control:dashboard", "queue.view_notification"),
            # The workspace's list where each waiting draft is read, corrected and decided in one click; the
            # "Approvals" row below is the record of approvals given.
            Link("Drafts waiting for approval", "notifications:approvals", "queue.approve_notification"),
            "queue.notification",
            "queue.approval",
            "queue.delivery",
        ),
    ),
    Section(
        "Results",
        "results",
        (
            Link("Results and funnels", "results:page", "queue.work_queue"),
            "analysis.analysisjob",
            "analysis.customeranalysis",
            "analysis.contactdecision",
        ),
    ),
    Section("Audit", "audit", ("staff.auditevent", "queue.notificationevent", "contact_rules.consentchange")),
    Section(
        "Policies",
        "policies",
        ("contact_rules.contactpolicy", "queue.approvalpolicy", "experiments.holdoutexperiment"),
    ),
    Section(
        "Budget",
        "budget",
        (
            Link("AI usage and budget", "control:usage", "analysis.view_aicall"),
            "analysis.providersettings",
            "analysis.aicall",
        ),
    ),
    Section(
        "Imports and customer data",
        "imports",
        (
            Link("Import all five files", "control:import_all", "customers.add_importrun"),
            "customers.importrun",
            "customers.customer",
            "customers.customercontact",
            "customers.accountactivity",
            "customers.interaction",
            "customers.notificationhistory",
            "customers.recommendedaction",
        ),
    ),
    Section("Users and roles", "users", ("auth.user", "auth.group")),
    Section(
        "System internals",
        "system",
        ("analysis.analysischunk", "delivery.providerreceipt", "django_celery_beat.*", "axes.*"),
        perm=SYSTEM_TABLES_PERMISSION,
    ),
)
# A model registered later and put in no section still shows, here, to whoever may open it.
OTHER = Section("Other", "other", ())


class ControlRoomSite(admin.AdminSite):
    site_header = "Smart Notification Engine — control room"
    site_title = "Smart Notification Engine — control room"
    index_title = "Control room"
    # The sidebar repeated the index beside every list and took 300 px of a 1366 px screen from its columns.
    enable_nav_sidebar = False

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        if app_label is not None:
            return super().get_app_list(request, app_label)  # an app's own page (the breadcrumbs' link)
        rows = {
            row["model"]._meta.label_lower: row
            for app in self._build_app_dict(request).values()
            for row in sorted(app["models"], key=lambda r: r["name"])
        }
        sections = []
        for section in SECTIONS:
            taken = [row for item in section.items for row in _take(rows, item, request)]
            if section.perm and not request.user.has_perm(section.perm):
                continue  # hidden, and not listed under "Other" either
            sections.append(_section(section, taken))
        sections.append(_section(OTHER, list(rows.values())))
        return [s for s in sections if s["models"]]


def _take(rows: dict[str, dict], item: str | Link, request: HttpRequest) -> list[dict]:
    """The index rows for one section item, removed from `rows` (a model appears in one section only)."""
    if isinstance(item, Link):
        if not request.user.has_perm(item.perm):
            return []
        url = reverse(item.url_name)
        name = item.url_name.replace(":", "-")
        return [{"name": item.name, "object_name": name, "admin_url": url, "view_only": True, "perms": {}}]
    if item.endswith(".*"):
        prefix = item[:-1]
        return [rows.pop(label) for label in [label for label in rows if label.startswith(prefix)]]
    row = rows.pop(item, None)
    return [row] if row else []


def _section(section: Section, rows: list[dict]) -> dict:
    return {
        "name": section.name,
        "app_label": section.slug,
        "app_url": rows[0]["admin_url"] if rows else "",
        "has_module_perms": True,
        "models": rows,
    }


class ControlRoomAdminConfig(AdminConfig):
    """django.contrib.admin with the control room's site as `admin.site`."""

    default_site = "notifications.supervision.admin_site.ControlRoomSite"
