from __future__ import annotations

from django.urls import path

from doorway.api import views

urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
