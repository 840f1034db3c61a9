"""The Django admin is usable for every model: list (with search and filters), change, history."""

import pytest
from django.contrib import admin
from django.urls import reverse

from comments import services as comment_services

MODELS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def staff_client(client, consultation):
    comment = comment_services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="Please define “computer system”.",
    )
    comment_services.endorsement_create(comment=comment, by=consultation.stakeholder_b)
    comment_services.report_create(
        comment=comment, by=consultation.stakeholder_b, reason="Off topic"
    )
    client.force_login(consultation.admin)
    return client


@pytest.mark.parametrize("model, model_admin", MODELS, ids=[m._meta.label for m, _a in MODELS])
def test_admin_pages_work_for_every_model(staff_client, model, model_admin):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = staff_client.get(reverse(f"{prefix}_changelist"), {"q": "a"})
    assert changelist.status_code == 200
    obj = model._default_manager.first()
    if obj is None:
        return
    change = staff_client.get(reverse(f"{prefix}_change", args=[obj.pk]))
    assert change.status_code == 200
    history = staff_client.get(reverse(f"{prefix}_history", args=[obj.pk]))
    assert history.status_code == 200
