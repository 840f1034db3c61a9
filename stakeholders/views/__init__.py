"""Accounts pages: organisations and memberships, the API token, two-factor sign-in,
closing one's account."""

from .account import close, too_many_requests
from .organisations import member_end, members, organisations
from .tokens import api_token
from .two_factor import LoginView, setup, verify

__all__ = [
    "LoginView",
    "api_token",
    "close",
    "member_end",
    "members",
    "organisations",
    "setup",
    "too_many_requests",
    "verify",
]
