"""Accounts pages: organisations and memberships, the API token, two-factor sign-in,
closing one's account."""

from . import joining
from .account import close, too_many_requests
from .organisations import member_end, members, membership_listing, organisations
from .tokens import api_token
from .two_factor import LoginView, setup, verify

__all__ = [
    "LoginView",
    "api_token",
    "close",
    "joining",
    "member_end",
    "members",
    "membership_listing",
    "organisations",
    "setup",
    "too_many_requests",
    "verify",
]
