"""Doorway: case management and evaluation for Critical Time Intervention programs."""

import django_stubs_ext

# Django's forms, fields and admin classes take type arguments only for the type
# checker (`forms.ModelForm[Phase]`); this lets a class's bases be written so at run time.
django_stubs_ext.monkeypatch()
