"""A drafter's own edit names the earlier comments it answers: the picker, the refusals, the record."""

from django.urls import reverse

from comments import services as comment_services
from comments.models import Disposition
from drafts.models import ProvisionChange
from tests.factories import VersionFactory, build_articles, open_version

from .conftest import working_article

ART = "chp_1__art_2"


def edit_url(c):
    return reverse(
        "desk:provision_edit", kwargs={"slug": c.draft.slug, "number": 2, "stable_id": ART}
    )


def post_edit(
    client, c, article, addresses, text="Purpose: only intentional access is an offence."
):
    return client.post(
        edit_url(c),
        {
            "number": article.number,
            "heading_en": article.heading_en,
            "heading_km": article.heading_km,
            "text_en": text,
            "text_km": article.text_km,
            "revision": article.revision,
            "addresses": [str(pk) for pk in addresses],
        },
    )


def test_edit_page_lists_and_searches_earlier_comments(client, consultation, desk_round):
    c = consultation
    other = comment_services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=c.articles[ART], body="Define the data."
    )
    client.force_login(c.drafter)
    page = client.get(edit_url(c))
    assert page.status_code == 200
    assert f'name="addresses" value="{desk_round.comment.pk}"'.encode() in page.content
    assert f'name="addresses" value="{other.pk}"'.encode() in page.content
    # a comment on another article is not offered
    assert f'id="addresses-{desk_round.amendment.pk}"'.encode() not in page.content

    by_words = client.get(edit_url(c), {"q": "too broad"})
    assert f'id="addresses-{desk_round.comment.pk}"'.encode() in by_words.content
    assert f'id="addresses-{other.pk}"'.encode() not in by_words.content
    by_org = client.get(edit_url(c), {"q": "mekong"})
    assert f'id="addresses-{other.pk}"'.encode() in by_org.content
    assert f'id="addresses-{desk_round.comment.pk}"'.encode() not in by_org.content
    by_id = client.get(edit_url(c), {"q": f"#{other.pk}"})
    assert f'id="addresses-{other.pk}"'.encode() in by_id.content
    assert f'id="addresses-{desk_round.comment.pk}"'.encode() not in by_id.content


def test_an_edit_that_picks_comments_records_the_change_on_their_dispositions(
    client, consultation, desk_round
):
    c = consultation
    article = working_article(desk_round, ART)
    client.force_login(c.drafter)
    response = post_edit(client, c, article, [desk_round.comment.pk])
    assert response.status_code == 302
    article.refresh_from_db()
    row = article.history.first()
    assert row.change_kind == ProvisionChange.EDITED
    disposition = Disposition.objects.get(comment=desk_round.comment)
    assert disposition.addressed_in_version == desk_round.v2
    assert disposition.addressed_change == row.history_id
    # the decision is the drafter's to make separately
    assert disposition.status == Disposition.Status.PENDING
    assert disposition.history.first().history_change_reason == (
        "Addressed by a change in version 2"
    )


def test_picking_a_reply_or_another_drafts_comment_is_refused(client, consultation, desk_round):
    c = consultation
    article = working_article(desk_round, ART)
    reply = comment_services.comment_reply(
        by=c.stakeholder_b, parent=desk_round.comment, body="Agreed."
    )
    elsewhere = VersionFactory()
    foreign_articles = build_articles(elsewhere)
    open_version(elsewhere)
    foreign = comment_services.comment_create(
        by=c.stakeholder_a,
        version=elsewhere,
        provision=foreign_articles[ART],
        body="Another law.",
    )
    client.force_login(c.drafter)

    refused = post_edit(client, c, article, [reply.pk])
    assert refused.status_code == 200
    assert f"#{reply.pk} is a reply; pick the first comment of its thread.".encode() in (
        refused.content
    )
    refused = post_edit(client, c, article, [foreign.pk])
    assert f"#{foreign.pk} was made on another draft.".encode() in refused.content
    refused = post_edit(client, c, article, [desk_round.amendment.pk])
    assert b"is not a comment on this article in an earlier version" in refused.content
    refused = post_edit(client, c, article, [987654])
    assert b"There is no comment #987654." in refused.content
    # nothing was saved
    article.refresh_from_db()
    assert article.revision == 1
    assert not Disposition.objects.filter(addressed_change__isnull=False).exists()


def test_the_article_history_says_which_comments_an_edit_answers(client, consultation, desk_round):
    c = consultation
    article = working_article(desk_round, ART)
    client.force_login(c.drafter)
    assert post_edit(client, c, article, [desk_round.comment.pk]).status_code == 302
    page = client.get(
        reverse("desk:article_history", kwargs={"slug": c.draft.slug, "stable_id": ART})
    )
    assert f"answers comment #{desk_round.comment.pk}".encode() in page.content
