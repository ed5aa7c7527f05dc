"""A cycle's cost lines: entered by the program's managers, to the cent, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.programs import actions
from doorway.programs.models import CostCategory, CostLine, Cycle
from doorway.testing.factories import CycleFactory
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def cycle_of(world: World) -> Cycle:
    return world.program.cycles.get()


def costs_url(world: World, cycle: Cycle | None = None) -> str:
    cycle = cycle or cycle_of(world)
    return f"/programs/{cycle.program_id}/cycles/{cycle.pk}/costs/"


def add_line(world: World, category: str, amount: str, description: str = "") -> CostLine:
    return actions.add_cost_line(
        cycle_of(world),
        by=world.morgan,
        category=category,
        amount=Decimal(amount),
        description=description,
    )


def test_lines_are_listed_by_category_with_operating_and_evaluation_totals(
    client, world: World
) -> None:
    add_line(world, CostCategory.STAFF, "400000.00", "Case managers")
    add_line(world, CostCategory.STAFF, "120000.10", "Peer coordinator")
    add_line(world, CostCategory.SPACE, "36000.00", "Rent")
    add_line(world, CostCategory.EVALUATION, "25000.00", "Outside evaluators")
    signed_in(client, world.morgan)
    # Thousands are grouped as the site's locale groups them.
    page = client.get(costs_url(world)).content.decode().replace("\xa0", "").replace(",", "")
    assert 'id="operating-total">$556000.10<' in page
    assert 'id="evaluation-total">$25000.00<' in page
    assert "$520000.10" in page  # the staff total
    assert page.index("Case managers") < page.index("Rent") < page.index("Outside evaluators")


def test_the_program_page_links_each_cycles_costs(client, world: World) -> None:
    signed_in(client, world.morgan)
    page = client.get(f"/programs/{world.program.pk}/").content.decode()
    assert costs_url(world) in page


def test_a_line_is_added_edited_and_removed_with_an_audit_entry_each(client, world: World) -> None:
    signed_in(client, world.morgan)
    response = client.post(
        costs_url(world) + "add/",
        {"category": "food_transit", "description": "Drop-in meals", "amount": "$1,250.5"},
    )
    assert response.status_code == 302
    assert response["Location"] == costs_url(world)
    line = CostLine.objects.get()
    assert line.amount == Decimal("1250.50")
    assert line.recorded_by == world.morgan
    post_form(
        client,
        costs_url(world) + f"{line.pk}/",
        {"category": "food_transit", "description": "Drop-in meals", "amount": "1300.00"},
    )
    line.refresh_from_db()
    assert line.amount == Decimal("1300.00")
    assert line.history.count() == 2
    assert client.post(costs_url(world) + f"{line.pk}/delete/").status_code == 302
    assert not CostLine.objects.exists()
    details = list(
        AuditEntry.objects.filter(object_id=str(line.pk))
        .order_by("pk")
        .values_list("action", "detail")
    )
    assert details == [
        (Action.CREATE, {"fields": ["category", "description", "amount"]}),
        (Action.CHANGE, {"fields": ["amount"]}),
        (Action.CHANGE, {"deleted": True}),
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-10.00", "An amount cannot be negative."),
        ("ten dollars", "Enter the amount in dollars and cents"),
        ("12.345", "Give the amount to the cent"),
        ("", "This field is required."),
    ],
)
def test_a_bad_amount_is_refused_next_to_the_field_keeping_what_was_typed(
    client, world: World, typed: str, message: str
) -> None:
    signed_in(client, world.morgan)
    response = client.post(
        costs_url(world) + "add/",
        {"category": "space", "description": "Rent", "amount": typed},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_amount_error"' in page or 'id="id_amount-errors"' in page or message in page
    assert message in page
    assert f'value="{typed}"' in page if typed else True
    assert 'value="Rent"' in page
    assert not CostLine.objects.exists()


def test_the_action_refuses_a_negative_or_fractional_cent_amount(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        add_line(world, CostCategory.SPACE, "-1.00")
    assert "amount" in refused.value.error_dict
    with pytest.raises(ValidationError):
        add_line(world, CostCategory.SPACE, "1.001")
    with pytest.raises(ValidationError) as refused:
        add_line(world, "jewels", "1.00")
    assert "category" in refused.value.error_dict
    assert not CostLine.objects.exists()


@pytest.mark.parametrize("username", ["alice", "pat", "eve", "ada", "olive", "oscar"])
def test_anyone_but_the_programs_manager_is_answered_404_and_nothing_changes(
    client, world: World, username: str
) -> None:
    line = add_line(world, CostCategory.SPACE, "100.00", "Rent")
    signed_in(client, world.staff()[username])
    base = costs_url(world)
    for url in (base, base + "add/", base + f"{line.pk}/"):
        assert client.get(url).status_code == 404, url
    payload = {"category": "space", "description": "Rent", "amount": "999.00"}
    assert client.post(base + "add/", payload).status_code == 404
    assert client.post(base + f"{line.pk}/", payload).status_code == 404
    assert client.post(base + f"{line.pk}/delete/").status_code == 404
    line.refresh_from_db()
    assert line.amount == Decimal("100.00")
    assert CostLine.objects.count() == 1


def test_another_programs_cycle_is_not_reachable_through_this_program(client, world: World) -> None:
    elsewhere = CycleFactory(program=world.other_program, name="Cycle B")
    line = actions.add_cost_line(
        elsewhere, by=world.olive, category="space", amount=Decimal("5.00"), description=""
    )
    signed_in(client, world.morgan)
    base = f"/programs/{world.program.pk}/cycles/{elsewhere.pk}/costs/"
    assert client.get(base).status_code == 404
    assert client.post(base + f"{line.pk}/delete/").status_code == 404
    # Nor the other program's own URL.
    own = f"/programs/{world.other_program.pk}/cycles/{elsewhere.pk}/costs/"
    assert client.get(own).status_code == 404
    assert CostLine.objects.filter(pk=line.pk).exists()
