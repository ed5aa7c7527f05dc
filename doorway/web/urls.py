from __future__ import annotations

from django.urls import path

from doorway.web import health, leave, views

urlpatterns = [
    path("", views.home, name="home"),
    # For the proxy, systemd and a monitor: no sign-in, no audit, nothing about anyone.
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    # The quick exit: a neutral page, and signing out on the way (leave.py).
    path("leave/", leave.quick_exit, name="quick_exit"),
]
