"""The desk inserts a proposed new article into the working version, and shows general comments."""

from django.urls import reverse

from comments import services as comment_services
from comments.models import Comment, Disposition
from drafts import services as draft_services
from drafts.models import Provision


def _proposal(c):
    return comment_services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=c.articles["chp_1__art_2"],
        kind=Comment.Kind.NEW_ARTICLE,
        body="Add a review clause.",
        proposed_text="This law is reviewed every five years.",
        proposed_text_km="ច្បាប់នេះត្រូវពិនិត្យឡើងវិញរៀងរាល់ប្រាំឆ្នាំម្តង។",
    )


def test_the_review_desk_offers_to_insert_the_article(client, consultation):
    c = consultation
    proposal = _proposal(c)
    comment_services.comment_create(
        by=c.individual, version=c.version, provision=None, body="The law as a whole."
    )
    draft_services.version_start_next(draft=c.draft, by=c.drafter)
    client.force_login(c.drafter)
    page = client.get(reverse("desk:review", kwargs={"slug": c.draft.slug, "number": 1}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The whole draft" in html and "New article after Article 2" in html
    assert (
        reverse("desk:apply_new_article", kwargs={"slug": c.draft.slug, "comment_id": proposal.pk})
        in html
    )
    assert "ច្បាប់នេះត្រូវពិនិត្យឡើងវិញ" in html
    # The amendment view sends a proposal to its own view.
    response = client.get(
        reverse("desk:apply", kwargs={"slug": c.draft.slug, "comment_id": proposal.pk})
    )
    assert response.status_code == 302 and "apply-new-article" in response["Location"]


def test_inserting_through_the_view(client, consultation):
    c = consultation
    proposal = _proposal(c)
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    client.force_login(c.drafter)
    url = reverse(
        "desk:apply_new_article", kwargs={"slug": c.draft.slug, "comment_id": proposal.pk}
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "It goes after Article 2 of the working version." in page.content.decode()
    response = client.post(
        url,
        {
            "status": "partly_accepted",
            "response": "Reviewed every ten years instead.",
            "number": "",
            "text_en": "This law is reviewed every ten years.",
            "text_km": proposal.proposed_text_km,
            "disposition_revision": proposal.disposition.revision,
        },
    )
    assert response.status_code == 302
    added = Provision.objects.for_reading(working).get(text_en__contains="ten years")
    order = [p.stable_id for p in Provision.objects.for_reading(working)]
    assert order.index(added.stable_id) == order.index("chp_1__art_2") + 1
    disposition = Disposition.objects.get(comment=proposal)
    assert disposition.status == "partly_accepted" and disposition.applied_in_version == working


def test_others_may_not_insert(client, consultation):
    c = consultation
    proposal = _proposal(c)
    draft_services.version_start_next(draft=c.draft, by=c.drafter)
    client.force_login(c.stakeholder_b)
    url = reverse(
        "desk:apply_new_article", kwargs={"slug": c.draft.slug, "comment_id": proposal.pk}
    )
    assert client.post(url, {"status": "accepted", "response": "x"}).status_code in (403, 404)
    assert Disposition.objects.get(comment=proposal).applied_in_version is None


def test_the_desk_filters_comments_on_the_whole_draft(client, consultation):
    c = consultation
    general = comment_services.comment_create(
        by=c.individual, version=c.version, provision=None, body="The law as a whole."
    )
    comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="On an article."
    )
    client.force_login(c.drafter)
    page = client.get(
        reverse("desk:review", kwargs={"slug": c.draft.slug, "number": 1}),
        {"article": "whole-draft"},
    )
    assert [row.pk for row in page.context["rows"]] == [general.pk]


def test_the_desk_counts_and_filters_individuals(client, consultation):
    c = consultation
    mine = comment_services.comment_create(
        by=c.individual, version=c.version, provision=c.article, body="As a citizen."
    )
    comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="As an NGO."
    )
    client.force_login(c.drafter)
    url = reverse("desk:review", kwargs={"slug": c.draft.slug, "number": 1})
    page = client.get(url)
    assert page.status_code == 200
    assert "Individual" in page.content.decode()
    filtered = client.get(url, {"organisation_kind": "individual"})
    assert [row.pk for row in filtered.context["rows"]] == [mine.pk]


def test_the_desk_names_an_individual_who_speaks_for_themselves(client, consultation):
    """An individual's comment says who wrote it on the desk's list and its own page,
    where an organisation's name would be: never an empty name and "()"."""
    c = consultation
    mine = comment_services.comment_create(
        by=c.individual, version=c.version, provision=c.article, body="As a citizen."
    )
    client.force_login(c.drafter)
    review = client.get(reverse("desk:review", kwargs={"slug": c.draft.slug, "number": 1}))
    row = review.content.decode().split(f'id="comment-{mine.pk}"', 1)[1].split("</header>", 1)[0]
    assert f'{c.individual} <span class="muted">(Individual)</span>' in row
    own = client.get(reverse("desk:comment", kwargs={"slug": c.draft.slug, "comment_id": mine.pk}))
    assert f'<p class="meta">{c.individual} ·' in own.content.decode()
