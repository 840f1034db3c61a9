from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("close/", views.close, name="close"),
    path("api-token/", views.api_token, name="api-token"),
    path("two-factor/", views.setup, name="two_factor"),
    path("two-factor/verify/", views.verify, name="two_factor_verify"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/directory/", views.joining.directory, name="directory"),
    path("organisations/<slug:slug>/join/", views.joining.join, name="join"),
    path("organisations/<slug:slug>/verify/", views.joining.verify, name="verify"),
    path(
        "organisations/<slug:slug>/requests/<int:pk>/",
        views.joining.decide,
        name="join_decide",
    ),
    path("organisations/<slug:slug>/members/", views.members, name="members"),
    path("memberships/<int:pk>/listing/", views.membership_listing, name="membership_listing"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/end/",
        views.member_end,
        name="member_end",
    ),
]
