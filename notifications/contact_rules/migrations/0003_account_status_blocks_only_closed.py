"""The account-status policy lists what is blocked, not what is allowed.

The old default ("only Active accounts may be contacted") blocked At Risk and
Dormant customers, the very ones a retention team exists to call. Rows still
on that default get the new one; a row an admin had changed keeps its meaning.
"""

from django.db import migrations

KNOWN = ["Active", "At Risk", "Dormant", "Suspended", "Closed"]
DEFAULT = {"blocked_statuses": ["Closed"], "contactable_statuses": ["Active", "At Risk", "Dormant", "Suspended"]}
DESCRIPTION = (
    "Closed accounts are not contacted; At Risk and Dormant are reasons to get in touch. A status new in the "
    "data is held until an admin adds it to one of the two lists (this page lists them)."
)


def forwards(apps, schema_editor):
    ContactPolicy = apps.get_model("contact_rules", "ContactPolicy")
    for row in ContactPolicy.objects.filter(rule="account_status"):
        params = dict(row.parameters or {})
        allowed = params.pop("allowed_statuses", None)
        if allowed is None:
            continue
        if allowed == ["Active"]:
            params, row.description = dict(DEFAULT), DESCRIPTION
        else:
            folded = {s.casefold() for s in allowed}
            params["contactable_statuses"] = allowed
            params["blocked_statuses"] = [s for s in KNOWN if s.casefold() not in folded]
        row.parameters = params
        row.save(update_fields=["parameters", "description"])


def backwards(apps, schema_editor):
    ContactPolicy = apps.get_model("contact_rules", "ContactPolicy")
    for row in ContactPolicy.objects.filter(rule="account_status"):
        params = dict(row.parameters or {})
        contactable = params.pop("contactable_statuses", ["Active"])
        params.pop("blocked_statuses", None)
        row.parameters = {**params, "allowed_statuses": contactable or ["Active"]}
        row.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("contact_rules", "0002_default_policies_and_append_only_consent")]

    operations = [migrations.RunPython(forwards, backwards)]
