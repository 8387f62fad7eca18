from __future__ import annotations

from django import forms

from customers.importing.schema import SPECS


class ImportAllForm(forms.Form):
    """One file field per supplier file; all five are required (partial uploads use the per-dataset import)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for spec in SPECS:
            self.fields[spec.key] = forms.FileField(
                label=spec.filename, widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        for spec in SPECS:
            upload = cleaned.get(spec.key)
            if upload is not None and not upload.name.lower().endswith(".csv"):
                self.add_error(spec.key, f"{upload.name} is not a .csv file.")
        return cleaned
