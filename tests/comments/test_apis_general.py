"""The API's general comments (no provision) and proposals for a new article."""

from django.urls import reverse

from comments.models import Comment

URL = reverse("api:comment-list")


def test_a_general_comment_through_the_api(consultation, api_client_for):
    c = consultation
    client = api_client_for(c.individual)
    response = client.post(
        URL, {"version": c.version.pk, "body": "The whole law is welcome."}, format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["provision"] is None and data["general"] is True
    assert data["individual"] is True and data["organisation"] is None
    assert Comment.objects.get(pk=data["id"]).provision_id is None
    # null works like leaving it out
    response = client.post(
        URL, {"version": c.version.pk, "provision": None, "body": "Again."}, format="json"
    )
    assert response.status_code == 201, response.json()


def test_a_general_amendment_is_refused_with_a_field_error(consultation, api_client_for):
    c = consultation
    response = api_client_for(c.stakeholder_a).post(
        URL,
        {"version": c.version.pk, "body": "x", "kind": "amendment", "proposed_text": "y"},
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_a_new_article_through_the_api(consultation, api_client_for):
    c = consultation
    response = api_client_for(c.stakeholder_b).post(
        URL,
        {
            "version": c.version.pk,
            "provision": "chp_2",
            "kind": "new_article",
            "body": "Add a purpose clause.",
            "proposed_text": "This chapter protects data.",
            "proposed_text_km": "ជំពូកនេះការពារទិន្នន័យ។",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "new_article" and data["provision"]["stable_id"] == "chp_2"
    assert data["proposed_text_km"] == "ជំពូកនេះការពារទិន្នន័យ។"
    assert data["general"] is False


def test_the_list_filters_general_comments(consultation, api_client_for):
    c = consultation
    client = api_client_for(c.stakeholder_a)
    client.post(URL, {"version": c.version.pk, "body": "General."}, format="json")
    client.post(
        URL,
        {"version": c.version.pk, "provision": c.article.stable_id, "body": "On the article."},
        format="json",
    )
    general = client.get(URL, {"version": c.version.pk, "general": "true"}).json()["results"]
    assert [row["body"] for row in general] == ["General."]
    on_provisions = client.get(URL, {"version": c.version.pk, "general": "false"}).json()
    assert [row["body"] for row in on_provisions["results"]] == ["On the article."]


def test_the_tracking_number_is_for_the_author_and_the_drafters(consultation, api_client_for):
    c = consultation
    posted = api_client_for(c.individual).post(
        URL, {"version": c.version.pk, "body": "Numbered."}, format="json"
    )
    number = Comment.objects.get(pk=posted.json()["id"]).tracking_number
    assert number and posted.json()["tracking_number"] == number
    url = reverse("api:comment-detail", args=[posted.json()["id"]])
    assert api_client_for(c.drafter).get(url).json()["tracking_number"] == number
    assert api_client_for(c.stakeholder_b).get(url).json()["tracking_number"] is None
    assert api_client_for(None).get(url).json()["tracking_number"] is None


def test_the_openapi_schema_describes_the_new_fields(client, db):
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schemas = spec["components"]["schemas"]
    comment = schemas["Comment"]["properties"]
    for name in ("general", "proposed_text_km", "tracking_number", "individual", "attachments"):
        assert name in comment, name
    assert comment["provision"].get("nullable") or "oneOf" in comment["provision"]
    create = schemas["CommentCreateRequest"]
    assert "provision" not in create.get("required", [])
    assert "proposed_text_km" in create["properties"]
    assert "new_article" in str(spec)
    parameters = spec["paths"]["/api/v1/comments/"]["get"]["parameters"]
    assert "general" in [p["name"] for p in parameters]
