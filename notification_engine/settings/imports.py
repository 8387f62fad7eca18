"""Customer data imports: django-import-export, uploaded files, how old data may get before it is flagged."""

from .base import VAR_DIR, env

IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # one LogEntry per row makes large imports crawl
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True  # neutralise =, +, -, @ in exported cells
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# "Import all five" keeps each upload under var/imports/<id>/ for the Celery task to read.
IMPORTS_DIR = env.path("IMPORTS_DIR", default=VAR_DIR / "imports")
# "Data as of …" turns into a warning in the workspace and the admin once the newest import's data is
# older than this: recency is measured from that date, so stale data means stale judgements.
DATA_STALE_AFTER_DAYS = env.int("DATA_STALE_AFTER_DAYS", default=7)
# After an import withdraws the untouched drafts written from data it changed, their customers are
# re-analysed: "offline" (free, the default: an import never spends Bedrock money by itself), "provider"
# (the provider in force, under the AI budget) or "off" (the next analysis run drafts for them).
REANALYSE_AFTER_IMPORT = env("REANALYSE_AFTER_IMPORT", default="offline")
