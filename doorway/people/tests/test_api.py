"""/api/v1/participants/ and /api/v1/consents/: the same reach, roles and audit as the
pages, identifying fields only for roles that see them, If-Match on changes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.people.models import Consent, ConsentKind, Participant
from doorway.testing.factories import (
    ConsentFactory,
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
    PartnerFactory,
)

IDENTITY_KEYS = {
    "legal_name",
    "aliases",
    "date_of_birth",
    "phone",
    "email",
    "safe_contact",
    "safe_contact_confirmed_on",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_an_evaluator_sees_no_identifying_field_anywhere(world) -> None:
    from doorway.evaluation.disclosure import MINIMUM_COHORT
    from doorway.people.actions import give_consent

    give_consent(
        world.rosa, kind=ConsentKind.EVALUATION, given_on=timezone.localdate(), by=world.alice
    )
    # Rosa's cycle large enough for an evaluator to see its outcomes at all (whole
    # cycles of at least MINIMUM_COHORT consenting women), so the answer read below is a
    # real table that Rosa is counted in, not a refusal.
    cycle = world.rosa_enrolment.cycle
    for _ in range(MINIMUM_COHORT):
        person = ParticipantFactory(agency=world.agency, registered_by=world.bianca)
        ConsentFactory(participant=person, recorded_by=world.bianca)
        ConsentFactory(participant=person, kind=ConsentKind.EVALUATION, recorded_by=world.bianca)
        EnrolmentFactory(participant=person, cycle=cycle, case_manager=world.bianca)
    client = api(world.eve)
    paths = [
        "/api/v1/participants/",
        f"/api/v1/participants/{world.rosa.pk}/",
        "/api/v1/consents/",
        "/api/v1/enrolments/",
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/",
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/moves/",
        "/api/v1/journey-events/",
        "/api/v1/programs/",
        "/api/v1/phases/",
        "/api/v1/cycles/",
        "/api/v1/partner-agencies/",
        "/api/v1/cost-lines/",
        f"/api/v1/evaluation/{world.program.slug}/outcomes/?cycles={cycle.pk}",
    ]
    secrets = [world.rosa.code, "Rosa", str(world.rosa.pk), world.rosa.phone]
    for path in paths:
        response = client.get(path)
        assert response.status_code in {200, 403}, path
        body = response.content.decode()
        assert not [s for s in secrets if s and s in body], path


# --- list and reach -------------------------------------------------------------------


def test_a_case_manager_lists_her_teams_participants_only(world) -> None:
    response = api(world.alice).get("/api/v1/participants/")
    assert response.status_code == 200
    assert codes(response) == {world.rosa.code, world.tess.code}


def test_a_peer_mentor_lists_her_mentees_without_identifying_fields(world) -> None:
    response = api(world.pat).get("/api/v1/participants/")
    assert codes(response) == {world.rosa.code}
    row = response.json()["results"][0]
    assert "identity" not in row
    assert row["preferred_name"] == "Rosa"
    assert "Rosa Example" not in response.content.decode()
    assert row["enrolments"][0]["current_phase"]["name"]


def test_a_list_holds_no_identifying_field_for_any_role(world) -> None:
    """As on the participant list: her identifying fields are on her record only, one
    audited read at a time."""
    world.rosa.phone = "416-555-0199"
    world.rosa.save()
    for user in (world.alice, world.morgan):
        response = api(user).get("/api/v1/participants/")
        body = response.content.decode()
        assert world.rosa.code in body
        assert "Rosa Example" not in body
        assert "416-555-0199" not in body
        assert all("identity" not in row for row in response.json()["results"])


def test_a_program_manager_lists_her_programs_participants(world) -> None:
    response = api(world.morgan).get("/api/v1/participants/")
    assert codes(response) == {world.rosa.code, world.tess.code, world.uma.code}


def test_another_agencys_manager_lists_only_hers(world) -> None:
    assert codes(api(world.olive).get("/api/v1/participants/")) == {world.vera.code}


def test_an_administrator_lists_nobody_without_breaking_the_glass(world) -> None:
    assert codes(api(world.ada).get("/api/v1/participants/")) == set()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/participants/"),
        ("post", "/api/v1/participants/search/"),
        ("get", "/api/v1/consents/"),
    ],
)
def test_an_evaluator_is_refused_every_participant_resource(world, method, path) -> None:
    response = getattr(api(world.eve), method)(path, {"q": "Rosa"}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "Rosa" not in response.content.decode()


def test_an_evaluator_is_refused_her_record_before_any_lookup(world) -> None:
    response = api(world.eve).get(f"/api/v1/participants/{world.rosa.pk}/")
    assert response.status_code == 403
    assert world.rosa.code not in response.content.decode()


def test_the_list_is_audited_with_whom_it_showed(world) -> None:
    api(world.alice).get("/api/v1/participants/")
    (entry,) = entries(Action.LIST)
    assert set(entry.detail["shown"]) == {str(world.rosa.pk), str(world.tess.pk)}
    assert entry.actor_username == "alice"


def test_filters_go_through_the_enrolments_she_reaches(world) -> None:
    client = api(world.morgan)
    mine = client.get("/api/v1/participants/", {"case_manager": str(world.bianca.pk)})
    assert codes(mine) == {world.uma.code}
    # Vera's case manager, whose enrolments Morgan does not reach: nothing, not Vera.
    theirs = client.get("/api/v1/participants/", {"case_manager": str(world.oscar.pk)})
    assert codes(theirs) == set()
    assert codes(client.get("/api/v1/participants/", {"open": "false"})) == set()


def test_a_bad_filter_value_is_a_problem_with_errors_by_field(world) -> None:
    response = api(world.alice).get("/api/v1/participants/", {"program": "not-an-id"})
    assert response.status_code == 400
    assert "program" in response.json()["errors"]


def test_the_list_takes_the_same_number_of_queries_for_1_or_20_rows(
    world, django_assert_max_num_queries
) -> None:
    client = api(world.pat)
    with django_assert_max_num_queries(12) as one:
        assert len(client.get("/api/v1/participants/").json()["results"]) == 1
    cycle = world.rosa_enrolment.cycle
    for _ in range(19):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        EnrolmentFactory(
            participant=person, cycle=cycle, case_manager=world.alice, peer_mentor=world.pat
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/participants/").json()["results"]) == 20


# --- one record -------------------------------------------------------------------------


def test_a_case_manager_reads_her_identity_and_the_read_is_audited(world) -> None:
    response = api(world.alice).get(f"/api/v1/participants/{world.rosa.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body["identity"]) == IDENTITY_KEYS
    assert body["identity"]["legal_name"] == "Rosa Example"
    assert response["ETag"]
    (entry,) = entries(Action.VIEW)
    assert entry.participant_id == str(world.rosa.pk)


def test_a_peer_mentor_reads_what_her_page_shows_and_no_more(world) -> None:
    response = api(world.pat).get(f"/api/v1/participants/{world.rosa.pk}/")
    body = response.json()
    assert body["identity"] is None
    assert body["code"] == world.rosa.code
    assert body["preferred_name"] == "Rosa"
    assert "Example" not in response.content.decode()


@pytest.mark.parametrize(
    ("username", "whom"),
    [("alice", "uma"), ("bianca", "rosa"), ("pat", "tess"), ("olive", "rosa"), ("ada", "rosa")],
)
def test_a_record_out_of_reach_answers_404_and_is_audited(world, username, whom) -> None:
    target = getattr(world, whom)
    response = api(world.staff()[username]).get(f"/api/v1/participants/{target.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert target.code not in response.content.decode()
    (entry,) = entries(Action.REFUSED)
    assert entry.detail["object_id"] == str(target.pk)
    assert not entries(Action.VIEW)


# --- changes with If-Match ------------------------------------------------------------


def read(client, participant) -> tuple[dict, str]:
    response = client.get(f"/api/v1/participants/{participant.pk}/")
    return response.json(), response["ETag"]


def test_a_change_with_the_current_etag_is_saved_through_the_action(world) -> None:
    client = api(world.alice)
    _body, etag = read(client, world.rosa)
    response = client.patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"identity": {"phone": "416-555-0199", "aliases": ["Ro", "Rosie"]}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["identity"]["phone"] == "416-555-0199"
    assert response["ETag"] != etag
    world.rosa.refresh_from_db()
    assert world.rosa.phone == "416-555-0199"
    assert world.rosa.alias_list() == ["Ro", "Rosie"]
    change = AuditEntry.objects.get(action=Action.CHANGE)
    assert set(change.detail["fields"]) == {"phone", "aliases"}
    assert "416" not in str(change.detail)
    # Her aliases are searchable at once.
    assert Participant.objects.with_name("Rosie").filter(pk=world.rosa.pk).exists()


def test_a_change_without_if_match_is_refused_with_428(world) -> None:
    response = api(world.alice).patch(
        f"/api/v1/participants/{world.rosa.pk}/", {"preferred_name": "Ro"}, format="json"
    )
    assert response.status_code == 428
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"


def test_a_stale_etag_is_refused_with_412_and_the_earlier_change_survives(world) -> None:
    alice, amira = api(world.alice), api(world.amira)
    _b, alices_etag = read(alice, world.rosa)
    _b, amiras_etag = read(amira, world.rosa)
    first = amira.patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"identity": {"phone": "416-555-0111"}},
        format="json",
        HTTP_IF_MATCH=amiras_etag,
    )
    assert first.status_code == 200
    second = alice.patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"identity": {"phone": "416-555-0222"}},
        format="json",
        HTTP_IF_MATCH=alices_etag,
    )
    assert second.status_code == 412
    assert second["Content-Type"] == "application/problem+json"
    world.rosa.refresh_from_db()
    assert world.rosa.phone == "416-555-0111"


def test_a_put_needs_every_field_and_replaces_them(world) -> None:
    client = api(world.alice)
    body, etag = read(client, world.rosa)
    incomplete = client.put(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"preferred_name": "Rosa"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert incomplete.status_code == 400
    assert "identity" in incomplete.json()["errors"]
    body["identity"]["email"] = "rosa@example.org"
    done = client.put(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"preferred_name": body["preferred_name"], "identity": body["identity"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert done.status_code == 200, done.json()
    world.rosa.refresh_from_db()
    assert world.rosa.email == "rosa@example.org"
    assert world.rosa.legal_name == "Rosa Example"


def test_bad_input_is_a_400_with_errors_by_field_and_nothing_changes(world) -> None:
    client = api(world.alice)
    _b, etag = read(client, world.rosa)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"preferred_name": " ", "identity": {"date_of_birth": tomorrow.isoformat()}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"preferred_name", "identity.date_of_birth"}
    assert errors["identity.date_of_birth"] == ["A date of birth cannot be in the future."]
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()


@pytest.mark.parametrize("username", ["pat", "eve", "ada"])
def test_roles_that_do_not_change_records_are_refused_with_403(world, username) -> None:
    response = api(world.staff()[username]).patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"preferred_name": "Ro"},
        format="json",
        HTTP_IF_MATCH='"anything"',
    )
    assert response.status_code == 403
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"


def test_a_change_to_a_record_out_of_reach_answers_404(world) -> None:
    response = api(world.bianca).patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"preferred_name": "Ro"},
        format="json",
        HTTP_IF_MATCH='"anything"',
    )
    assert response.status_code == 404
    assert entries(Action.REFUSED)


# --- registration ---------------------------------------------------------------------


def registration(world, **extra) -> dict:
    return {
        "preferred_name": "Nadia",
        "identity": {"legal_name": "Nadia Newperson", "date_of_birth": "1994-03-02"},
        "cycle": str(world.rosa_enrolment.cycle_id),
        "referral_source": "outreach",
        "referred_on": timezone.localdate().isoformat(),
        "case_manager": str(world.alice.pk),
        **extra,
    }


def test_a_case_manager_registers_a_participant_with_her_first_enrolment(world) -> None:
    response = api(world.alice).post("/api/v1/participants/", registration(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"].startswith("EDH-")
    assert body["identity"]["legal_name"] == "Nadia Newperson"
    assert body["enrolments"][0]["case_manager"]["id"] == str(world.alice.pk)
    created = Participant.objects.get(pk=body["id"])
    assert created.registered_by == world.alice
    assert AuditEntry.objects.filter(action=Action.CREATE, participant_id=body["id"]).exists()


def test_a_likely_duplicate_she_can_open_is_named_and_nothing_is_saved(world) -> None:
    before = Participant.objects.count()
    payload = registration(world, identity={"legal_name": "Rosa Example"}, preferred_name="Ro")
    response = api(world.alice).post("/api/v1/participants/", payload, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["likely_duplicates"] == [{"id": str(world.rosa.pk), "code": world.rosa.code}]
    assert "hidden_count" not in body
    assert Participant.objects.count() == before
    search = AuditEntry.objects.get(action=Action.SEARCH)
    assert "Rosa" not in str(search.detail)


def test_a_likely_duplicate_out_of_reach_is_never_mentioned(world) -> None:
    # Registered as for anyone: her program manager is told of the match instead.
    payload = registration(
        world, identity={"legal_name": "Rosa Example"}, case_manager=str(world.bianca.pk)
    )
    response = api(world.bianca).post("/api/v1/participants/", payload, format="json")
    assert response.status_code == 201
    assert "likely_duplicates" not in response.json()
    assert world.rosa.code not in response.content.decode()
    assert str(world.rosa.pk) not in response.content.decode()


def test_a_confirmed_different_person_is_registered(world) -> None:
    payload = registration(world, identity={"legal_name": "Rosa Example"}, confirm_duplicate=True)
    response = api(world.alice).post("/api/v1/participants/", payload, format="json")
    assert response.status_code == 201


def test_registration_takes_only_the_choices_the_page_offers(world) -> None:
    other_cycle = CycleFactory(program=world.other_program, name="Theirs")
    payload = registration(world, cycle=str(other_cycle.pk), case_manager=str(world.oscar.pk))
    before = Participant.objects.count()
    response = api(world.alice).post("/api/v1/participants/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"cycle", "case_manager"}
    assert Participant.objects.count() == before


def test_registration_with_a_missing_name_says_which_field(world) -> None:
    payload = registration(world)
    del payload["preferred_name"]
    response = api(world.alice).post("/api/v1/participants/", payload, format="json")
    assert response.status_code == 400
    assert "preferred_name" in response.json()["errors"]


@pytest.mark.parametrize("username", ["pat", "eve", "ada"])
def test_roles_that_do_not_register_are_refused(world, username) -> None:
    before = Participant.objects.count()
    response = api(world.staff()[username]).post(
        "/api/v1/participants/", registration(world), format="json"
    )
    assert response.status_code == 403
    assert Participant.objects.count() == before


# --- search ---------------------------------------------------------------------------


def test_a_search_by_name_is_posted_and_the_term_is_never_kept(world) -> None:
    response = api(world.alice).post(
        "/api/v1/participants/search/", {"q": "Rosa Example"}, format="json"
    )
    assert response.status_code == 200
    assert codes(response) == {world.rosa.code}
    (entry,) = entries(Action.SEARCH)
    assert entry.detail["shown"] == [str(world.rosa.pk)]
    assert "Rosa" not in str(entry.detail)
    assert "Rosa" not in entry.path


def test_a_search_finds_only_whom_she_reaches(world) -> None:
    response = api(world.alice).post("/api/v1/participants/search/", {"q": "Uma"}, format="json")
    assert codes(response) == set()


def test_a_peer_mentor_finds_her_by_preferred_name_only(world) -> None:
    client = api(world.pat)
    by_preferred = client.post("/api/v1/participants/search/", {"q": "Rosa"}, format="json")
    assert codes(by_preferred) == {world.rosa.code}
    by_legal = client.post("/api/v1/participants/search/", {"q": "Rosa Example"}, format="json")
    assert codes(by_legal) == set()


def test_a_search_by_code_finds_her(world) -> None:
    response = api(world.alice).post(
        "/api/v1/participants/search/", {"q": world.rosa.code[:6]}, format="json"
    )
    assert world.rosa.code in codes(response)


def test_an_empty_search_is_a_400(world) -> None:
    response = api(world.alice).post("/api/v1/participants/search/", {"q": ""}, format="json")
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


# --- consents -------------------------------------------------------------------------


def test_consents_list_only_of_participants_she_reaches_and_filter(world) -> None:
    client = api(world.alice)
    response = client.get("/api/v1/consents/")
    assert response.status_code == 200
    assert {row["participant"] for row in response.json()["results"]} == {
        str(world.rosa.pk),
        str(world.tess.pk),
    }
    only_rosa = client.get("/api/v1/consents/", {"participant": str(world.rosa.pk)})
    assert [row["participant"] for row in only_rosa.json()["results"]] == [str(world.rosa.pk)]
    none = client.get("/api/v1/consents/", {"kind": ConsentKind.EVALUATION})
    assert none.json()["results"] == []
    listed = entries(Action.LIST)[-1]
    assert listed.detail["shown"] == []
    assert set(entries(Action.LIST)[0].detail["shown"]) == {str(world.rosa.pk), str(world.tess.pk)}


@pytest.mark.parametrize("username", ["pat", "eve"])
def test_roles_that_do_not_see_case_content_are_refused_consents(world, username) -> None:
    response = api(world.staff()[username]).get("/api/v1/consents/")
    assert response.status_code == 403


def test_a_consent_out_of_reach_answers_404(world) -> None:
    consent = world.uma.consents.get()
    response = api(world.alice).get(f"/api/v1/consents/{consent.pk}/")
    assert response.status_code == 404
    assert entries(Action.REFUSED)


def test_a_case_manager_records_a_consent(world) -> None:
    response = api(world.alice).post(
        "/api/v1/consents/",
        {
            "participant": str(world.rosa.pk),
            "kind": ConsentKind.EVALUATION,
            "given_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["in_force"] is True
    assert world.rosa.has_consent(ConsentKind.EVALUATION)


def test_a_consent_for_a_participant_out_of_reach_is_refused_and_audited(world) -> None:
    response = api(world.alice).post(
        "/api/v1/consents/",
        {
            "participant": str(world.uma.pk),
            "kind": ConsentKind.EVALUATION,
            "given_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 404
    assert not world.uma.has_consent(ConsentKind.EVALUATION)
    (entry,) = entries(Action.REFUSED)
    assert entry.participant_id == str(world.uma.pk)


def test_information_sharing_needs_a_partner_of_her_agency(world) -> None:
    theirs = PartnerFactory(agency=world.other_agency)
    payload = {
        "participant": str(world.rosa.pk),
        "kind": ConsentKind.INFORMATION_SHARING,
        "given_on": timezone.localdate().isoformat(),
    }
    client = api(world.alice)
    missing = client.post("/api/v1/consents/", payload, format="json")
    assert missing.status_code == 400
    assert "partner" in missing.json()["errors"]
    other = client.post("/api/v1/consents/", {**payload, "partner": str(theirs.pk)}, format="json")
    assert other.status_code == 400
    ours = PartnerFactory(agency=world.agency)
    unscoped = client.post("/api/v1/consents/", {**payload, "partner": str(ours.pk)}, format="json")
    # What may be shared is hers to choose: the API never assumes everything.
    assert unscoped.status_code == 400
    assert "scope" in unscoped.json()["errors"]
    done = client.post(
        "/api/v1/consents/",
        {**payload, "partner": str(ours.pk), "scope": ["contact_details"]},
        format="json",
    )
    assert done.status_code == 201
    assert done.json()["scope"] == ["contact_details"]
    assert done.json()["ends_on"] is not None
    assert done.json()["partner"]["name"] == ours.name


def test_a_consent_is_withdrawn_through_the_action(world) -> None:
    consent = world.rosa.consents.get()
    today = timezone.localdate().isoformat()
    client = api(world.alice)
    response = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"on": today, "note": "Asked"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["withdrawn_on"] == today
    consent.refresh_from_db()
    assert consent.withdrawn_by == world.alice
    again = client.post(f"/api/v1/consents/{consent.pk}/withdraw/", {"on": today}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == {"non_field_errors": ["This consent was already withdrawn."]}


def test_a_withdrawal_dated_before_the_consent_changes_nothing(world) -> None:
    consent = world.rosa.consents.get()
    early = (consent.given_on - datetime.timedelta(days=1)).isoformat()
    response = api(world.alice).post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"on": early}, format="json"
    )
    assert response.status_code == 400
    assert "on" in response.json()["errors"]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_an_administrator_with_the_glass_broken_reads_consents_but_cannot_record(world) -> None:
    from doorway.people.actions import break_the_glass

    break_the_glass(world.rosa, by=world.ada, reason="Auditing a complaint about this record.")
    client = api(world.ada)
    assert client.get("/api/v1/consents/").status_code == 200
    consent = Consent.objects.filter(participant=world.rosa).get()
    refused = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/",
        {"on": timezone.localdate().isoformat()},
        format="json",
    )
    assert refused.status_code == 403


def test_the_consents_list_takes_the_same_queries_for_1_or_20_rows(
    world, django_assert_max_num_queries
) -> None:
    client = api(world.bianca)
    with django_assert_max_num_queries(12) as one:
        assert len(client.get("/api/v1/consents/").json()["results"]) == 1
    for _ in range(19):
        ConsentFactory(participant=world.uma, recorded_by=world.bianca, kind="evaluation")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/consents/").json()["results"]) == 20


def test_the_version_is_given_only_to_those_who_may_change_her_record(world) -> None:
    assert api(world.alice).get(f"/api/v1/participants/{world.rosa.pk}/").has_header("ETag")
    assert not api(world.pat).get(f"/api/v1/participants/{world.rosa.pk}/").has_header("ETag")
    enrolment = f"/api/v1/enrolments/{world.rosa_enrolment.pk}/"
    assert api(world.alice).get(enrolment).has_header("ETag")
    assert not api(world.pat).get(enrolment).has_header("ETag")
