"""Accounts pages: organisations and memberships, the API token, two-factor sign-in."""

from .organisations import member_end, members, organisations
from .tokens import api_token
from .two_factor import LoginView, setup, verify

__all__ = ["LoginView", "api_token", "member_end", "members", "organisations", "setup", "verify"]
