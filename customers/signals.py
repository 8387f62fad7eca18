"""Signals the datasets send, so apps above can react (e.g. audit an import) without customers importing them."""

from django.dispatch import Signal

# An admin confirmed an upload: sender=the dataset model; user, file_name, dataset (plural name), counts.
dataset_imported = Signal()
