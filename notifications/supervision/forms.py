from __future__ import annotations

import datetime as dt

from django import forms

from customers.importing.parsers import as_of_moment
from customers.importing.schema import SPECS


class ImportAllForm(forms.Form):
    """One file field per supplier file: the five datasets are required (partial uploads use the per-dataset
    import), the contacts file is optional."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for spec in SPECS:
            self.fields[spec.key] = forms.FileField(
                label=spec.filename + (" (optional)" if spec.optional else ""),
                required=not spec.optional,
                widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
            )

        self.fields["as_of"] = forms.CharField(
            label="Data as of (optional)",
            required=False,
            help_text="Only when the supplier says when the data was true, e.g. 30/09/2025 18:00; "
            "blank: the newest date in the files.",
        )

    def clean_as_of(self) -> dt.datetime | None:
        text = self.cleaned_data.get("as_of", "").strip()
        if not text:
            return None
        try:
            return as_of_moment(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict:
        cleaned = super().clean()
        for spec in SPECS:
            upload = cleaned.get(spec.key)
            if upload is not None and not upload.name.lower().endswith(".csv"):
                self.add_error(spec.key, f"{upload.name} is not a .csv file.")
        return cleaned
