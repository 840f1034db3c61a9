"""core.history: every tracked model's history manager class is made once, and behaves as
django-simple-history's own."""

from __future__ import annotations

from django.apps import apps
from simple_history.manager import HistoryManager

from comments import services as comment_services
from comments.models import Comment


def _tracked_models():
    return [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]


def test_every_tracked_model_uses_the_portals_historical_records():
    tracked = _tracked_models()
    assert len(tracked) > 10
    for model in tracked:
        name = model._meta.simple_history_manager_attribute
        assert type(model.__dict__[name]).__name__ == "_OneClassHistoryDescriptor", model


def test_the_manager_is_bound_to_each_instance_and_its_class_made_once(consultation):
    c = consultation
    first, second = (
        comment_services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=f"Comment {n}."
        )
        for n in (1, 2)
    )
    first = comment_services.comment_edit(
        comment=first, by=c.stakeholder_a, body="Comment 1, corrected.", revision=first.revision
    )
    assert type(first.history) is type(second.history) is type(Comment.history)
    assert isinstance(first.history, HistoryManager)
    assert first.history.instance is first and Comment.history.instance is None
    assert [h.body for h in first.history.order_by("history_id")] == [
        "Comment 1.",
        "Comment 1, corrected.",
    ]
    assert [h.body for h in second.history.all()] == ["Comment 2."]
    assert Comment.history.filter(id__in=[first.pk, second.pk]).count() == 3
