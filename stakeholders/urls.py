from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor, views, views_accounts

app_name = "accounts"
urlpatterns = [
    path("login/", two_factor.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api-token/", views.api_token, name="api-token"),
    path("two-factor/", two_factor.setup, name="two_factor"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("organisations/", views_accounts.organisations, name="organisations"),
    path("organisations/<slug:slug>/members/", views_accounts.members, name="members"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/end/",
        views_accounts.member_end,
        name="member_end",
    ),
]
