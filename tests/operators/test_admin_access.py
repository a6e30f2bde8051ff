"""Django admin is for operators whose role is admin, however they were made or changed."""

from __future__ import annotations

import pytest
from django.test import Client

from operators.models import Operator, Role

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passw0rd"


def admin_index_for(operator: Operator) -> int:
    client = Client()
    client.force_login(operator)
    return client.get("/admin/").status_code


def create_operator(client_for, admin, role: str) -> Operator:
    response = client_for(admin).post(
        "/api/v1/operators",
        {"username": f"new-{role}", "password": PASSWORD, "name": "New", "role": role},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Operator.objects.get(pk=response.json()["id"])


def test_an_admin_made_through_the_api_may_use_django_admin(client_for, admin):
    created = create_operator(client_for, admin, Role.ADMIN)
    assert admin_index_for(created) == 200


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_made_through_the_api_may_not(client_for, admin, role):
    created = create_operator(client_for, admin, role)
    assert (created.is_staff, created.is_superuser) == (False, False)
    assert admin_index_for(created) == 302  # to the admin's login page


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_a_staff_flag_set_by_hand_does_not_open_django_admin_to_a_non_admin(make_operator, role):
    operator = make_operator(role, is_staff=True, is_superuser=True)
    assert admin_index_for(operator) == 302


def test_demoting_an_admin_takes_django_admin_away_and_promoting_gives_it(client_for, admin):
    created = create_operator(client_for, admin, Role.ADMIN)
    client = client_for(admin)

    response = client.patch(f"/api/v1/operators/{created.pk}", {"role": "agent"}, format="json")
    assert response.status_code == 200, response.content
    created.refresh_from_db()
    assert (created.is_staff, created.is_superuser) == (False, False)
    assert admin_index_for(created) == 302

    client.patch(f"/api/v1/operators/{created.pk}", {"role": "admin"}, format="json")
    created.refresh_from_db()
    assert admin_index_for(created) == 200


def test_the_superuser_of_createsuperuser_is_an_admin_with_django_admin():
    superuser = Operator.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert superuser.role == Role.ADMIN
    assert admin_index_for(superuser) == 200
