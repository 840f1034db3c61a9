"""Writes on people, organisations and memberships."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import revisions
from core.errors import DomainError, PolicyDenied
from core.text import clean_user_text

from .models import JoinRequest, Membership, Organisation, User
from .policies import actor_for, ensure_can, forget_actor


def membership_grant(
    *,
    organisation: Organisation,
    user: User,
    role: str,
    by: User | None,
    is_org_admin: bool = False,
) -> Membership:
    """Grant a person a role in an organisation. Only its administrator or staff may.

    ``by=None`` is for trusted set-up code (the demo loader, a shell session).
    """
    if by is not None:
        ensure_can(by, "organisation.manage_members", organisation)
    if role not in Membership.Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if (
        role == Membership.Role.OFFICIAL
        and organisation.kind != Organisation.Kind.NATIONAL_ASSEMBLY
    ):
        # An official reads every restricted comment on every draft: an NGO's
        # administrator must not be able to make anyone (themselves) one.
        raise DomainError(
            _("The official role exists only in the National Assembly."), field="role"
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=role,
            defaults={"granted_by": by, "is_org_admin": is_org_admin},
        )
        if not created and (not membership.is_active or membership.is_org_admin != is_org_admin):
            membership.is_active = True
            membership.ended_at = None
            membership.is_org_admin = is_org_admin
            membership.granted_by = by
            membership._history_user = by
            membership._change_reason = "Membership granted again"
            membership.save()
        if user.active_organisation_id is None:
            user.active_organisation = organisation
            user.save(update_fields=["active_organisation"])
    forget_actor(user)
    return membership


def membership_end(*, membership: Membership, by: User, reason: str = "") -> Membership:
    """End a membership; the row and its history stay."""
    ensure_can(by, "organisation.manage_members", membership.organisation)
    with transaction.atomic():
        membership.is_active = False
        membership.ended_at = timezone.now()
        membership._history_user = by
        membership._change_reason = reason or "Membership ended"
        membership.save()
        user = membership.user
        if user.active_organisation_id == membership.organisation_id and not (
            Membership.objects.active()
            .filter(user=user, organisation=membership.organisation)
            .exists()
        ):
            user.active_organisation = None
            user.save(update_fields=["active_organisation"])
    forget_actor(membership.user)
    return membership


def user_act_for(*, user: User, organisation: Organisation) -> User:
    """Choose which of one's organisations one speaks for from now on."""
    if organisation.pk not in actor_for(user).org_ids:
        raise DomainError(_("You are not a member of that organisation."), field="organisation")
    user.active_organisation = organisation
    user._change_reason = "Acting organisation changed"
    user.save(update_fields=["active_organisation"])
    forget_actor(user)
    return user


def api_token_replace(*, user: User):
    """Give ``user`` a new API token; the old one stops working. One token per person."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Revoke ``user``'s API token; returns whether there was one."""
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


def account_close(*, user: User, by: User) -> User:
    """Close an account at its owner's request, keeping the public record.

    What the person wrote stays where it is (comments are never deleted) and is
    shown as written by "a former participant". Their personal details leave the
    live record: name, username, email addresses, password, API token and
    authenticator app; their memberships end (the rows stay, with who ended them).
    """
    if by.pk != user.pk and not (by.is_staff or by.is_superuser):
        raise PolicyDenied(_("Only the account's owner may close it."))
    if user.closed_at is not None:
        raise DomainError(_("This account is already closed."))
    from allauth.account.models import EmailAddress
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    now = timezone.now()
    with transaction.atomic():
        for membership in Membership.objects.active().filter(user=user):
            membership.is_active = False
            membership.ended_at = now
            membership._history_user = by
            membership._change_reason = "Account closed at the person's request"
            membership.save()
        EmailAddress.objects.filter(user=user).delete()
        Token.objects.filter(user=user).delete()
        TOTPDevice.objects.filter(user=user).delete()
        user.closed_at = now
        user.is_active = False
        user.username = f"former-{user.pk}"
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.display_name = ""
        user.active_organisation = None
        user.set_unusable_password()
        user._history_user = by
        user._change_reason = "Account closed at the person's request"
        user.save()
        revisions.touch(revisions.PEOPLE)  # the name beside what they wrote
    forget_actor(user)
    return user


def join_request_create(
    *, user: User, organisation: Organisation, message: str = ""
) -> JoinRequest:
    """Ask to join an organisation; its administrator is the one who decides."""
    ensure_can(user, "organisation.join", organisation)
    message = clean_user_text(message)[:1000]
    with transaction.atomic():
        pending = JoinRequest.objects.filter(
            user=user, organisation=organisation, status=JoinRequest.Status.PENDING
        ).first()
        if pending is not None:
            raise DomainError(
                _(
                    "You have already asked to join this organisation; its administrator will decide."
                )
            )
        request = JoinRequest(user=user, organisation=organisation, message=message)
        request._history_user = user
        request._change_reason = "Asked to join"
        request.save()
    return request


def join_request_decide(
    *, join_request: JoinRequest, by: User, approve: bool, reason: str = ""
) -> JoinRequest:
    """The organisation's administrator (or staff) approves or declines a request to join.

    Approving makes the person a stakeholder of the organisation (``membership_grant``).
    """
    ensure_can(by, "organisation.manage_members", join_request.organisation)
    with transaction.atomic():
        current = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if current.status != JoinRequest.Status.PENDING:
            raise DomainError(_("This request has already been decided."))
        if approve:
            membership_grant(
                organisation=current.organisation,
                user=current.user,
                role=Membership.Role.STAKEHOLDER,
                by=by,
            )
        current.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.reason = clean_user_text(reason)[:200]
        current._history_user = by
        current._change_reason = "Approved" if approve else "Declined"
        current.save()
    return current


def organisation_verify(*, organisation: Organisation, by: User, verified: bool) -> Organisation:
    """Staff confirm (or withdraw the confirmation of) who an organisation is.

    The verified mark stands next to its name on comments, in the API, the matrix
    and the packets: it is how a reader tells an embassy from someone using its name.
    """
    ensure_can(by, "organisation.verify", organisation)
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        current.verified = bool(verified)
        current._history_user = by
        current._change_reason = "Verified by staff" if verified else "Verification withdrawn"
        current.save()
        revisions.touch(revisions.PEOPLE)  # the verified mark beside its comments
    return current


def membership_set_listed(*, membership: Membership, by: User, listed: bool) -> Membership:
    """The member chooses whether the organisation's public page shows their name."""
    ensure_can(by, "membership.list", membership)
    if membership.listed_publicly != listed:
        membership.listed_publicly = listed
        membership._history_user = by
        membership._change_reason = "Listed publicly" if listed else "No longer listed publicly"
        membership.save()
    return membership
