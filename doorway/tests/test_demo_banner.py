"""While the demo setting is on, every page says so; with it off, none does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
BANNER = 'class="demo-banner"'


def pages(world: World) -> list[str]:
    return [
        reverse("home"),
        reverse("participant_list"),
        reverse("participant_detail", args=[world.rosa.pk]),
        reverse("enrolment_detail", args=[world.rosa_enrolment.pk]),
        reverse("mfa_index"),
        "/participants/00000000-0000-0000-0000-000000000000/",  # the 404 page
    ]


@pytest.mark.parametrize("demo", [True, False])
def test_every_page_carries_the_demo_banner_only_in_demo_mode(
    client, settings, world: World, demo: bool
) -> None:
    settings.DEMO = demo
    assert (BANNER in client.get(reverse("account_login")).content.decode()) is demo
    signed_in(client, world.morgan)
    for url in pages(world):
        assert (BANNER in client.get(url).content.decode()) is demo, url
    signed_in(client, world.ada)
    assert (BANNER in client.get(reverse("admin:index")).content.decode()) is demo
