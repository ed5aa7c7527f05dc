"""The upload form: one file, refused before it is read when it is too large."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from doorway.web.forms import BootstrapForm


class UploadForm(BootstrapForm, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Your filled-in file"),
        help_text=gettext_lazy(
            "CSV or XLSX. Nothing is saved until you have seen the check and confirmed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                gettext(
                    "The file is larger than %(megabytes)d MB. Split it into smaller "
                    "files and import them one after the other."
                )
                % {"megabytes": limit // (1024 * 1024)}
            )
        return upload
