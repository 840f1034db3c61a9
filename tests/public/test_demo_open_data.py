"""The demo consultation's open data round-trips: every public comment, nothing else."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage

from comments.models import Comment
from demo.loader import load_demo
from drafts.models import Draft
from public import services
from stakeholders.policies import comment_visibility_filter


@pytest.mark.django_db
def test_demo_open_data_holds_every_public_comment_and_nothing_more(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    load_demo()
    for draft in Draft.objects.select_related("lead_ministry"):
        release = services.open_data_publish(draft=draft)
        with default_storage.open(release.files[f"{draft.slug}.json"]["path"], "rb") as handle:
            data = json.loads(handle.read())
        exported = {row["id"] for row in data["comments"]}
        comments = Comment.objects.filter(version__draft=draft)
        public = set(
            comments.filter(state=Comment.State.ACTIVE)
            .filter(comment_visibility_filter(AnonymousUser(), draft))
            .values_list("pk", flat=True)
        )
        assert exported == public
        assert public, "the demo has public comments"
        # The demo has each kind that must stay out; none of them is exported.
        for kept_out in (
            comments.filter(visibility="participants"),
            comments.filter(visibility="restricted"),
            comments.filter(state=Comment.State.HIDDEN),
            comments.filter(state=Comment.State.WITHDRAWN),
        ):
            assert not exported & set(kept_out.values_list("pk", flat=True))
        # Hidden and withdrawn comments are not in the demo: tests/public/test_open_data.py has them.
        assert comments.filter(visibility="participants").exists()
        assert comments.filter(visibility="restricted").exists()
        bodies = {row["body"] for row in data["comments"]}
        for secret in comments.exclude(pk__in=public).values_list("body", flat=True):
            assert secret not in bodies
