"""The review desk's rows drawn once a page: each row still answers its own comment.

The response form of every row is rendered once with stand-ins and given each
comment's id, decision, response and revision (``desk.views.respond_fields``);
these tests hold it to what Django renders for that row's own form, in English
and in Khmer. Also: the facets' toggle links and the page cut in SQL.
"""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize

from comments import services as comment_services
from comments.models import Comment, Disposition
from desk.forms import DispositionForm
from desk.selectors import FILTER_NAMES, PER_PAGE, Facet
from desk.views import respond_fields
from desk.views.base import _facet_links
from desk.views.respond_fields import TEMPLATE, RespondFields, row_form

from .test_triage import _post

# Words a stand-in is made of, and HTML to be escaped, in one response.
AWKWARD = (
    'Rejected <b>"as drafted"</b> & kept.\n'
    f"{respond_fields._PK} {respond_fields._REVISION} {respond_fields._RESPONSE}"
)


def _review_url(c, **query):
    return reverse("desk:review", kwargs={"slug": c.draft.slug, "number": c.version.number})


def _ordinary(comment) -> str:
    """The fields as Django draws them for this comment's own form."""
    initial = DispositionForm.initial_for(getattr(comment, "disposition", None))
    return render_to_string(TEMPLATE, {"form": row_form(comment.pk, initial)})


def _row_form_html(body: str, comment_pk: int) -> str:
    match = re.search(
        rf'<form method="post" action="[^"]*/comments/{comment_pk}/respond/".*?</form>',
        body,
        re.S,
    )
    assert match, f"no response form for comment {comment_pk}"
    return match.group(0)


@pytest.mark.parametrize("language", ["en", "km"])
def test_each_row_answers_its_own_comment_with_its_own_values(
    client, consultation, desk_round, language
):
    c = consultation
    rejected = comment_services.disposition_record(
        comment=desk_round.comment, by=c.drafter, status="rejected", response=AWKWARD
    )
    noted = comment_services.disposition_record(
        comment=desk_round.amendment, by=c.drafter, status="noted", response="Noted, thanks."
    )
    noted = comment_services.disposition_record(
        comment=desk_round.amendment,
        by=c.drafter,
        status="noted",
        response="Noted, with thanks.",
        revision=noted.revision,
    )
    assert noted.revision != rejected.revision  # each row's revision is its own
    client.force_login(c.drafter)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(_review_url(c))
    assert response.status_code == 200
    body = response.content.decode()
    rows = {row.pk: row for row in response.context["rows"]}
    assert set(rows) == {desk_round.comment.pk, desk_round.amendment.pk, desk_round.restricted.pk}

    with translation.override(language):
        label = str(DispositionForm.base_fields["status"].label)
        for pk, row in rows.items():
            form = _row_form_html(body, pk)
            assert _ordinary(row) in form  # byte for byte what Django draws for this row
            assert f'<label for="id_c{pk}_status">{label}' in form
            desk = reverse("desk:comment", kwargs={"slug": c.draft.slug, "comment_id": pk})
            respond = reverse("desk:respond", kwargs={"slug": c.draft.slug, "comment_id": pk})
            assert f'<a href="{desk}">#{pk}</a>' in body
            assert form.startswith(f'<form method="post" action="{respond}"')
    assert (label == "Disposition") == (language == "en")  # the Khmer page has Khmer labels

    # And, spelled out, the values that differ from row to row.
    first = _row_form_html(body, desk_round.comment.pk)
    pk = desk_round.comment.pk
    assert f'name="revision" value="{rejected.revision}" id="id_c{pk}_revision"' in first
    assert f'<label for="id_c{pk}_status">' in first
    assert '<option value="rejected" selected>' in first
    assert first.count(" selected") == 1
    assert f'aria-describedby="id_c{pk}_response_helptext" id="id_c{pk}_response">' in first
    assert (
        "Rejected &lt;b&gt;&quot;as drafted&quot;&lt;/b&gt; &amp; kept.\n"
        f"{respond_fields._PK} {respond_fields._REVISION} {respond_fields._RESPONSE}</textarea>"
    ) in first
    assert f"id_c{respond_fields._PK}" not in body  # the stand-in id never reaches the page

    second = _row_form_html(body, desk_round.amendment.pk)
    pk = desk_round.amendment.pk
    assert f'name="revision" value="{noted.revision}" id="id_c{pk}_revision"' in second
    assert '<option value="noted" selected>' in second
    assert second.count(" selected") == 1
    assert ">\nNoted, with thanks.</textarea>" in second

    pending = _row_form_html(body, desk_round.restricted.pk)
    pk = desk_round.restricted.pk
    assert f'name="revision" value="1" id="id_c{pk}_revision"' in pending
    assert '<option value="" selected>' in pending
    assert pending.count(" selected") == 1
    assert f'id="id_c{pk}_response">\n</textarea>' in pending

    # Posting a row's form answers that row's comment.
    fields = {"status": "accepted", "response": "Agreed.", "revision": noted.revision}
    response = client.post(
        reverse("desk:respond", kwargs={"slug": c.draft.slug, "comment_id": pk}), fields
    )
    assert response.status_code == 409  # that revision is the other row's: a conflict
    fields["revision"] = 1
    response = client.post(
        reverse("desk:respond", kwargs={"slug": c.draft.slug, "comment_id": pk}), fields
    )
    assert response.status_code == 302
    assert Disposition.objects.get(comment_id=pk).status == "accepted"
    assert Disposition.objects.get(comment_id=desk_round.amendment.pk).status == "noted"


@pytest.mark.django_db  # a comment without a decision looks for one
@pytest.mark.parametrize("language", ["en", "km"])
def test_the_stamp_draws_every_decision_as_django_does(language):
    statuses = [None, *(s.value for s in Disposition.Status)]
    responses = ["", "  ", "One line.", AWKWARD, "ចម្លើយ\nពីរបន្ទាត់"]
    with translation.override(language):
        fields = RespondFields()
        for index, status in enumerate(statuses):
            for number, text in enumerate(responses):
                comment = Comment(pk=1000 + 10 * index + number)
                if status is not None:
                    comment.disposition = Disposition(
                        status=status, response=text, revision=index + number + 1
                    )
                assert fields(comment) == _ordinary(comment), (status, text)


@pytest.mark.django_db
def test_a_form_drawn_differently_is_rendered_row_by_row(monkeypatch):
    """Should Django ever draw an option otherwise, rows fall back to the ordinary rendering."""
    monkeypatch.setattr(RespondFields, "_prepare", lambda self: {})
    comment = Comment(pk=7)
    comment.disposition = Disposition(status="noted", response="Seen.", revision=3)
    assert RespondFields()(comment) == _ordinary(comment)


def _copied_links(query: str, facets, filters):
    """The toggle links as the desk made them before: a copy of the query per option."""
    get = QueryDict(query)
    out = {}
    for facet in facets:
        for value, _label, _count in facet.options:
            copy = get.copy()
            copy.pop("page", None)
            if filters.get(facet.name) == value:
                copy.pop(facet.name, None)
            else:
                copy[facet.name] = value
            out[facet.name, value] = copy.urlencode()
    return out


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "assignee=me&page=2&tag=4",
        "tag=4&tag=5&kind=amendment&page=2&q=a%20b+c&article=art-1",
        "organisation=%E1%9E%80&disposition=pending",
    ],
)
def test_facet_links_toggle_one_filter_and_keep_the_rest_in_place(rf: RequestFactory, query):
    request = rf.get("/desk/x/v1/review/?" + query)
    filters = {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)}
    facets = [
        Facet("assignee", "A", [("me", "Me", 1), ("none", "Nobody", 2)]),
        Facet("tag", "T", [("4", "Four", 1), ("5", "Five", 0), ("none", "None", 3)]),
        Facet("kind", "K", [("amendment", "Amendment", 1), ("comment", "Comment", 1)]),
        Facet("cluster", "C", [("any", "Any", 0)]),
        Facet("organisation", "O", [("ក", "Khmer", 1)]),
    ]
    links = _facet_links(request, facets, filters)
    got = {(f["name"], o["value"]): o["query"] for f in links for o in f["options"]}
    assert got == _copied_links(query, facets, filters)
    assert all(o["count_text"] == localize(o["count"]) for f in links for o in f["options"])
    assert {(f["name"], o["value"]): o["active"] for f in links for o in f["options"]} == {
        (facet.name, value): filters.get(facet.name) == value
        for facet in facets
        for value, _label, _count in facet.options
    }


def test_facet_counts_are_in_khmer_digits_on_a_khmer_page(rf: RequestFactory):
    from django.utils import translation

    request = rf.get("/desk/x/v1/review/")
    facets = [Facet("kind", "K", [("amendment", "Amendment", 1234), ("comment", "Comment", 7)])]
    with translation.override("km"):
        links = _facet_links(request, facets, {})
    texts = [o["count_text"] for f in links for o in f["options"]]
    assert texts[1] == "៧"
    assert (
        "១" in texts[0]
        and "៤" in texts[0]
        and not any(ch.isascii() and ch.isdigit() for ch in texts[0])
    )


def test_pages_cut_in_sql_follow_document_order(client, consultation):
    c = consultation
    comments = _post(c, PER_PAGE + 7)
    client.force_login(c.drafter)
    expected = [
        x.pk
        for x in sorted(
            Comment.objects.filter(pk__in=[x.pk for x in comments]).select_related("provision"),
            key=lambda x: (x.provision.position, x.created_at, x.pk),
        )
    ]
    seen = []
    for number in (1, 2):
        response = client.get(_review_url(c), {"page": number})
        seen += [row.pk for row in response.context["rows"]]
    assert seen == expected
    # A page past the end shows the last one; a filter cuts within what it matches.
    response = client.get(_review_url(c), {"page": 99})
    assert [row.pk for row in response.context["rows"]] == expected[PER_PAGE:]
    article = comments[0].provision
    response = client.get(_review_url(c), {"article": article.stable_id})
    on_article = [pk for pk in expected if pk in {x.pk for x in comments if x.provision == article}]
    assert [row.pk for row in response.context["rows"]] == on_article
    assert response.context["page"].paginator.count == len(on_article)


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_bulk_fields_are_django_s_own_and_follow_the_team_and_tags(
    client, consultation, language
):
    """The bulk form's fields, kept per set of choices, are what Django draws for the
    form, and a tag added since the last page is there on the next one."""
    from desk import selectors as desk_selectors
    from desk import services as desk_services
    from desk.forms import BulkForm
    from desk.views.bulk_fields import TEMPLATE as BULK_TEMPLATE

    c = consultation
    client.force_login(c.drafter)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    url = _review_url(c)

    def fields(body: str) -> str:
        inside = body.split('<div class="bulk-fields">', 1)[1].split('<p class="actions">', 1)[0]
        return inside.strip().removesuffix("</div>").strip()

    def django_draws() -> str:
        with translation.override(language):
            team = desk_selectors.drafting_team(c.draft)
            tags = desk_selectors.draft_tags(c.draft)
            form = BulkForm(team=team, tags=tags)
            return render_to_string(BULK_TEMPLATE, {"bulk": form, "can_assign": True})

    first = client.get(url).content.decode()
    assert fields(first).strip() == django_draws().strip()
    desk_services.tag_create(draft=c.draft, by=c.drafter, name="Data retention")
    second = client.get(url).content.decode()
    assert ">Data retention</option>" in fields(second)
    assert fields(second).strip() == django_draws().strip()
