"""factory_boy factories. Comments go through the services so their threads are well-formed."""

from datetime import timedelta

import factory
from django.utils import timezone

from drafts.models import Draft, DraftVersion, Provision
from stakeholders.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    name_km = factory.Sequence(lambda n: f"អង្គការ {n}")
    kind = Organisation.Kind.NGO
    country = "KH"
    verified = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.STAKEHOLDER

    @factory.post_generation
    def acting(obj, create, extracted, **kwargs):
        if create and obj.user.active_organisation_id is None:
            obj.user.active_organisation = obj.organisation
            obj.user.save(update_fields=["active_organisation"])


def member(role=Membership.Role.STAKEHOLDER, organisation=None, **user_kwargs) -> User:
    """A user with one active membership, acting for that organisation."""
    organisation = organisation or OrganisationFactory()
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    slug = factory.Sequence(lambda n: f"draft-{n}")
    title_en = factory.Sequence(lambda n: f"Draft Law number {n}")
    title_km = "សេចក្តីព្រាងច្បាប់ស្តីពីបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន"
    short_title_en = factory.Sequence(lambda n: f"Law {n}")
    short_title_km = "ច្បាប់"
    lead_ministry = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.MINISTRY)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DraftVersion

    draft = factory.SubFactory(DraftFactory)
    number = 1
    status = DraftVersion.Status.WORKING


def build_articles(version, chapters=((1, ("Scope", "Purpose")), (2, ("Offences",)))):
    """Chapters with articles, numbered continuously; returns the articles by stable id."""
    position = 0
    article_number = 0
    articles = {}
    for chapter_number, headings in chapters:
        position += 1
        chapter = Provision.objects.create(
            version=version,
            stable_id=f"chp_{chapter_number}",
            kind="chapter",
            number=str(chapter_number),
            heading_en=f"Chapter heading {chapter_number}",
            heading_km=f"ជំពូក {chapter_number}",
            position=position,
        )
        for heading in headings:
            position += 1
            article_number += 1
            stable_id = f"chp_{chapter_number}__art_{article_number}"
            articles[stable_id] = Provision.objects.create(
                version=version,
                parent=chapter,
                stable_id=stable_id,
                kind="article",
                number=str(article_number),
                heading_en=heading,
                heading_km="មាត្រា",
                text_en=f"{heading}: this law protects computer systems and data in article "
                f"{article_number}. Nobody shall access a computer system without right.",
                text_km="ច្បាប់នេះការពារប្រព័ន្ធកុំព្យូទ័រ និងទិន្នន័យ។",
                position=position,
            )
    return articles


def open_version(version, days=30):
    """Publish a version directly (for fixtures): in consultation from now for ``days``."""
    now = timezone.now()
    version.status = DraftVersion.Status.IN_CONSULTATION
    version.opens_at = now - timedelta(minutes=5)
    version.closes_at = now + timedelta(days=days)
    version.published_at = now
    version.save()
    return version
