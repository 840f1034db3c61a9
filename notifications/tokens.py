"""Unsubscribe links that work without signing in.

The token is the user's id and the kinds of event, signed with SECRET_KEY.
It never expires: an email read months later must still be able to stop the
next one. Anyone holding the link can only switch those emails off.
"""

from django.core import signing

from .models import Kind

SALT = "notifications.unsubscribe"


def unsubscribe_token(user, kinds) -> str:
    return signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, list[str]]:
    """The user id and kinds a token names; raises ``signing.BadSignature`` if forged."""
    data = signing.loads(token, salt=SALT)
    try:
        user_id = int(data["u"])
        kinds = [kind for kind in data["k"] if kind in Kind.values]
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("malformed unsubscribe token") from None
    if not kinds:
        raise signing.BadSignature("no kinds in unsubscribe token")
    return user_id, kinds
