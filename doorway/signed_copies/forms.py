"""The upload form: one file. Its checks (size, type, viruses) are `actions.check`, the
same for the page and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doorway.web.forms import BootstrapForm

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class SignedCopyForm(BootstrapForm, forms.Form):
    file = forms.FileField(
        label=_("Scan of the signed form"),
        help_text=_("PDF, JPEG or PNG. It is kept encrypted and checked for viruses."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Choose the scan of the signed form."),
            "empty": _("The file is empty. Choose the scan of the signed form."),
        },
    )
