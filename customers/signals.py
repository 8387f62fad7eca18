"""Signals the datasets send, so apps above can react without customers importing them."""

from django.dispatch import Signal

# An admin confirmed an upload: sender=the dataset model; user, file_name, dataset (plural name), counts.
# (Audited by notifications.staff.)
dataset_imported = Signal()

# An import (any path) committed data that changed something: sender=ImportRun; run=the finished ImportRun.
# Sent after the commit (customers/importing/runs.py: announce). Drafts written from the old facts are
# taken out of the queue by notifications.jobs.
data_imported = Signal()
