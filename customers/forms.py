"""Form pieces the import pages share (the per-file admin upload here, "import all five" in supervision)."""

from __future__ import annotations

import datetime as dt

from django import forms
from import_export.forms import ConfirmImportForm, ImportForm

from customers.importing.parsers import as_of_moment

AS_OF_HELP = (
    "Only when the supplier says when the data was true, e.g. 30/09/2025 18:00; blank: the newest date in the files."
)


class AsOfField(forms.CharField):
    """When the data was true, as a person types it (UK time unless it says otherwise); blank: not given."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", "Data as of (optional)")
        kwargs.setdefault("help_text", AS_OF_HELP)
        super().__init__(required=False, **kwargs)

    def clean(self, value: object) -> dt.datetime | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        try:
            return as_of_moment(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class UploadForm(ImportForm):
    """The per-file upload with the optional as-of time."""

    as_of = AsOfField()
    field_order = ["resource", "import_file", "format", "as_of"]


class ConfirmUploadForm(ConfirmImportForm):
    """The preview's confirm form carries the as-of time, as typed, to the real import."""

    as_of = AsOfField(widget=forms.HiddenInput())
