"""Atom feeds: a draft's consultation (new versions, opening, closing date, close) and an
organisation's public comments. Read as an anonymous reader reads: feed readers never sign in."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import formats
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import selectors


class DraftFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        draft = selectors.public_draft(slug)
        if draft is None:
            raise Http404
        return draft

    def title(self, draft):
        return _("%(title)s: consultation news") % {"title": draft.short_title}

    def subtitle(self, draft):
        return _("New versions of the draft and the opening and closing of each consultation.")

    def link(self, draft):
        return reverse("comments:read", args=[draft.slug])

    def feed_url(self, draft):
        return reverse("public:draft_feed", args=[draft.slug])

    def author_name(self, draft):
        return draft.lead_ministry.name

    def items(self, draft):
        return selectors.draft_events(draft)

    def item_title(self, event):
        number = event.version.number
        if event.kind == "published":
            return _("Version %(number)s published") % {"number": number}
        if event.kind == "opened":
            return _("Consultation on version %(number)s opened") % {"number": number}
        if event.kind == "closing":
            return _("Consultation on version %(number)s closes on %(date)s") % {
                "number": number,
                "date": formats.date_format(event.version.closes_at, "j F Y, H:i"),
            }
        return _("Consultation on version %(number)s closed") % {"number": number}

    def item_description(self, event):
        note = event.version.change_note
        if event.kind == "closed":
            return _("Read what was heard and what the ministry did in the report of the round.")
        return note or _("Read the version and comment while the consultation is open.")

    def item_link(self, event):
        draft = event.version.draft
        if event.kind == "closed":
            return reverse("public:report", args=[draft.slug, event.version.number])
        return reverse("comments:read_version", args=[draft.slug, event.version.number])

    def item_guid(self, event):
        return f"{self.item_link(event)}#{event.kind}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.at

    def item_updateddate(self, event):
        return event.at


class OrganisationFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        organisation = selectors.public_organisation(slug)
        if organisation is None:
            raise Http404
        return organisation

    def title(self, organisation):
        return _("Public comments of %(organisation)s") % {"organisation": organisation.name}

    def subtitle(self, organisation):
        return _("The latest public comments this organisation made on draft laws.")

    def link(self, organisation):
        return reverse("public:feeds")

    def feed_url(self, organisation):
        return reverse("public:organisation_feed", args=[organisation.slug])

    def author_name(self, organisation):
        return organisation.name

    def items(self, organisation):
        return selectors.organisation_public_comments(organisation)

    def item_title(self, comment):
        return _("%(kind)s on %(article)s of %(draft)s") % {
            "kind": comment.get_kind_display(),
            "article": comment.target_label,
            "draft": comment.version.draft.short_title,
        }

    def item_description(self, comment):
        return comment.body_html

    def item_link(self, comment):
        return reverse("comments:permalink", args=[comment.pk])

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at

    def item_author_name(self, comment):
        return comment.organisation.name
