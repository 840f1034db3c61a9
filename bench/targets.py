"""What the benchmarks request, worked out from the bench database and the URL configuration.

    .venv/bin/python bench/targets.py --seed 1 > targets.json

URLs come from ``reverse`` (by name) or, for the API, from the view class
that serves them, so a renamed route does not silently bench the wrong page.
A target whose view is not there (yet) is reported as missing, not guessed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django  # noqa: E402

django.setup()

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse  # noqa: E402
from generate import DRAFT_SLUG, FIXED_ARTICLES, POSTING_DRAFT_SLUG, token_for  # noqa: E402

from drafts.models import Draft, Provision  # noqa: E402
from stakeholders.models import User  # noqa: E402


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def url_name_for_view(class_name: str) -> str | None:
    """The qualified URL name of the route served by the view class (or function) named."""
    for namespace, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
        if getattr(view, "__name__", "") == class_name and pattern.name:
            return f"{namespace}{pattern.name}"
    return None


def _reverse(name: str | None, **kwargs) -> str | None:
    if name is None:
        return None
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def signed_in_cookie(username: str) -> str:
    """A ``Cookie`` header for a session of ``username``, made as a sign-in makes it.

    The load generator sends it to pages that need a signed-in reader (the review desk).
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    user = User.objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The first backend that can load a user from a session (django-axes' cannot).
    session[BACKEND_SESSION_KEY] = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


# A drafter of the bench draft's lead ministry (as in bench/querycount.py).
DESK_READER = "u0000"


def targets(seed: int) -> dict:
    draft = Draft.objects.get(slug=DRAFT_SLUG)
    version = draft.versions.get(number=3)
    posting_version = Draft.objects.get(slug=POSTING_DRAFT_SLUG).versions.get(number=1)
    articles = {}
    for name, (number, count) in FIXED_ARTICLES.items():
        stable_id = f"chp_{(number - 1) // 20 + 1}__art_{number}"
        provision = Provision.objects.get(version=version, stable_id=stable_id)
        articles[name] = {"stable_id": stable_id, "comments": count, "provision_id": provision.pk}

    comment_list = _reverse(url_name_for_view("CommentListApi"))
    thread_list = _reverse(url_name_for_view("ThreadListApi"))
    out = {
        "draft_id": draft.pk,
        "version_id": version.pk,
        "version_number": version.number,
        "pages": {
            "draft": _reverse("comments:read", slug=draft.slug),
            "draft_version": _reverse("comments:read_version", slug=draft.slug, number=3),
            "ping": _reverse("ping"),
        },
        "articles": {},
        "api": {"comment_list": comment_list, "thread_list": thread_list},
        "posting": None,
        "desk": None,
    }
    review = _reverse("desk:review", slug=draft.slug, number=version.number)
    if review:
        out["desk"] = {
            "reader": DESK_READER,
            "review": review,
            "review_page_400": f"{review}?page=400",
            "cookie": signed_in_cookie(DESK_READER),
        }
    for name, info in articles.items():
        page = _reverse(
            "comments:article", slug=draft.slug, number=version.number, stable_id=info["stable_id"]
        )
        out["articles"][name] = {
            **info,
            "page": page,
            "api_comments": f"{comment_list}?version={version.pk}&provision={info['stable_id']}"
            if comment_list
            else None,
            "api_threads": f"{thread_list}?version={version.pk}&provision={info['stable_id']}"
            if thread_list
            else None,
        }
    if comment_list:
        tokens = [
            {"username": username, "token": token_for(seed, username)}
            for username in User.objects.filter(auth_token__isnull=False)
            .order_by("username")
            .values_list("username", flat=True)
        ]
        out["posting"] = {
            "path": comment_list,
            "version_id": posting_version.pk,
            "provisions": list(
                Provision.objects.for_reading(posting_version)
                .articles()
                .values_list("stable_id", flat=True)
            ),
            "tokens": tokens,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    json.dump(targets(args.seed), sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
