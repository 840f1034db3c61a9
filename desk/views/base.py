"""Plumbing shared by the drafting desk's views: lookups, the decorator, links."""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import quote_plus

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from comments import matrix as matrix_selectors
from core import revisions
from core.errors import PolicyDenied
from core.numerals import local_digits
from core.web import refusal
from drafts.models import Draft, DraftVersion, Provision

from ..facet_counts import COUNTS_TIMEOUT

# --- plumbing ----------------------------------------------------------------------


def desk_view(*, login: bool = True):
    """Show a PolicyDenied on the refusal page, with its reason; ask anonymous visitors to sign in."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                return view(request, *args, **kwargs)
            except PolicyDenied as denied:
                return refusal(request, denied.message, status=403)

        return wrapper

    return decorate


def _draft(slug: str) -> Draft:
    return get_object_or_404(
        Draft.objects.select_related("lead_ministry").prefetch_related("drafting_partners"),
        slug=slug,
    )


def _version(draft: Draft, number: int) -> DraftVersion:
    version = get_object_or_404(DraftVersion, draft=draft, number=number)
    version.draft = draft  # already loaded, with its partners: no further queries
    return version


def _working_version(draft: Draft) -> DraftVersion | None:
    version = DraftVersion.objects.filter(draft=draft, status=DraftVersion.Status.WORKING).first()
    if version is not None:
        version.draft = draft
    return version


def _provision(version: DraftVersion, stable_id: str) -> Provision:
    provision = get_object_or_404(Provision, version=version, stable_id=stable_id)
    provision.version = version
    return provision


def _live_provisions(version: DraftVersion) -> list[Provision]:
    rows = list(Provision.objects.for_reading(version))
    for row in rows:
        row.version = version
    return rows


def _desk_url(name: str, draft: Draft, **kwargs) -> str:
    return reverse(f"desk:{name}", kwargs={"slug": draft.slug, **kwargs})


# Stands for a comment's id in a link reversed once for many comments; longer than any id.
_ID_STAND_IN = 987654321987654


def _per_comment_url(name: str, draft: Draft):
    """``_desk_url(name, draft, comment_id=…)`` for each comment of a page: reversed once.

    The id is the path's last part, after the draft's slug (which may hold any digits).
    """
    before, _, after = _desk_url(name, draft, comment_id=_ID_STAND_IN).rpartition(str(_ID_STAND_IN))
    return lambda comment_id: f"{before}{comment_id}{after}"


# --- desk home -----------------------------------------------------------------------


def _filters(request) -> dict:
    return {
        name: request.GET.get(name, "")
        for name in matrix_selectors.FILTER_NAMES
        if request.GET.get(name)
    }


def _facet_links(request, facets, filters):
    """For each facet option, the query string that toggles it (works without JavaScript).

    The request's query without its page, with the option's filter set (kept in its
    place, or last) or, when it is the active one, taken out. Each key's part is
    encoded once (as ``QueryDict.urlencode`` does), not a copy of the query per option:
    a desk has hundreds of options.

    Each facet also carries its options drawn as list items (``options_html``): at 20,000
    comments a desk shows some 500 options, and drawing them with one format string
    each, not a template loop of a dozen nodes, is a tenth of the review page's CPU.
    """
    encoding = request.GET.encoding

    def pair(key: str, value) -> str:
        # What ``urlencode({key: value})`` writes, without its dictionary and checks.
        return f"{quote_plus(key.encode(encoding))}={quote_plus(str(value).encode(encoding))}"

    parts = {
        key: "&".join(pair(key, value) for value in values)
        for key, values in request.GET.lists()
        if key != "page"
    }
    # The counts in the page language's digits, once per distinct number:
    # hundreds of options share a few counts, and localizing is half of drawing them.
    count_texts: dict[int, str] = {}
    out = []
    for facet in facets:
        before, after = [], []
        side = before
        for key, part in parts.items():
            if key == facet.name:
                side = after
            else:
                side.append(part)
        options = []
        for value, label, count in facet.options:
            active = filters.get(facet.name) == value
            query = before if active else [*before, pair(facet.name, value)]
            count_text = count_texts.get(count)
            if count_text is None:
                count_text = count_texts[count] = local_digits(localize(count))
            options.append(
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "count_text": count_text,
                    "active": active,
                    "query": "&".join(query + after),
                }
            )
        out.append(
            {
                "name": facet.name,
                "label": facet.label,
                "options": options,
                "options_html": _options_html(options),
            }
        )
    return out


# Raise when what ``_facet_links`` draws changes.
FACETS_DRAWING_VERSION = 1


def drawn_facets(request, counts, filters) -> list[dict]:
    """The desk's facets as ``_facets.html`` shows them, kept beside the counts they are
    drawn from: each facet's name, label, options drawn as list items (``options_html``)
    and what each option counts (``options``: value, label, count, active).

    Drawing some 500 options is about a twelfth of the review page's CPU at 20,000 comments
    (36 → 33–34 ms, measured in-process), and it depends only on the counts (their key says what they counted, for whom, in
    which language) and the request's query without its page: a drafter paging through
    a filter's results, or coming back to it, gets the same links. Counts that were not
    kept (``counts.key`` None: the cache is away) are drawn afresh. The options' links
    are kept only as drawn, once (about 80 KB a desk query at 20,000 comments).
    """
    if counts.key is None:
        return _shown(_facet_links(request, counts.facets, filters))
    query = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    raw = (FACETS_DRAWING_VERSION, counts.key, query)
    key = "desk:facets:" + hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
    found = revisions.cached([key], "desk facets")
    if found and key in found:
        return found[key]
    drawn = _shown(_facet_links(request, counts.facets, filters))
    if found is not None:
        revisions.store({key: drawn}, timeout=COUNTS_TIMEOUT, what="desk facets")
    return drawn


def _shown(facets: list[dict]) -> list[dict]:
    return [
        {
            "name": f["name"],
            "label": str(f["label"]),
            "options_html": f["options_html"],
            "options": [
                {key: o[key] for key in ("value", "label", "count", "active")} for o in f["options"]
            ],
        }
        for f in facets
    ]


def _options_html(options: list[dict]) -> str:
    """A facet's options as ``<li>`` items: a link that toggles the filter, and its count.

    Every value from outside (label, query) is escaped here; the count is digits.
    """
    remove = escape(_("Remove filter:"))
    items = []
    for o in options:
        href, label, count = escape(o["query"]), escape(o["label"]), escape(o["count_text"])
        if o["active"]:
            items.append(
                f'<li class="active"><a href="?{href}" aria-current="true">'
                f'<span class="visually-hidden">{remove} </span>{label}</a> '
                f'<span class="count">{count}</span></li>'
            )
        else:
            items.append(
                f'<li><a href="?{href}">{label}</a> <span class="count">{count}</span></li>'
            )
    return mark_safe("\n".join(items))  # every part was escaped above
