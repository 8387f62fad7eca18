from __future__ import annotations

from django import forms

from customers.forms import AsOfField
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

        self.fields["as_of"] = AsOfField()

    def clean(self) -> dict:
        cleaned = super().clean()
        for spec in SPECS:
            upload = cleaned.get(spec.key)
            if upload is not None and not upload.name.lower().endswith(".csv"):
                self.add_error(spec.key, f"{upload.name} is not a .csv file.")
        return cleaned
