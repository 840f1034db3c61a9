"""Property-based testing of the live API against its own OpenAPI schema (schemathesis).

A real server (pytest-django's ``live_server``) serves a fresh consultation;
schemathesis reads /api/schema/ and sends a bounded, seeded set of generated
requests to every operation, once with a stakeholder's token and once with a
drafter's. Writes are part of it: comments are posted, edited, withdrawn,
endorsed, answered and packets requested. The run fails on any 5xx, any
status code the schema does not list, and any response body or content type
that does not match the schema.
"""

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from comments import services as comment_services
from packets.models import Packet

MAX_EXAMPLES = 10
SEED = 20261122
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


def _schemathesis() -> str:
    executable = Path(sys.executable).parent / "schemathesis"
    if not executable.exists():
        pytest.fail("schemathesis is not installed in this environment (see pyproject dev)")
    return str(executable)


class _ServerErrors(logging.Handler):
    """Collects the tracebacks of the live server's 500s, to show them when the run fails."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(logging.Formatter().format(record))


def _seed_data(c) -> dict:
    """Comments of every kind and visibility, a hidden one, a reply, a packet."""
    made = []
    for author, visibility, kind in (
        (c.stakeholder_a, "public", "comment"),
        (c.stakeholder_b, "restricted", "question"),
        (c.stakeholder_a, "participants", "amendment"),
    ):
        made.append(
            comment_services.comment_create(
                by=author,
                version=c.version,
                provision=c.article,
                body=f"A {kind} ({visibility}).",
                visibility=visibility,
                kind=kind,
                proposed_text="Proposed words." if kind == "amendment" else "",
            )
        )
    made.append(comment_services.comment_reply(by=c.drafter, parent=made[0], body="An answer."))
    comment_services.comment_hide(comment=made[2], by=c.moderator, reason="Test")
    packet = Packet.objects.create(
        version=c.version, language="en", fingerprint="0" * 64, requested_by=c.official
    )
    return {
        "ids": sorted({c.version.pk, packet.pk, *(m.pk for m in made)}),
        "slugs": [c.draft.slug, c.org_a.slug, c.lead_ministry.slug],
        "stable_ids": list(c.articles),
    }


def _config(path: Path, data: dict) -> Path:
    """A schemathesis.toml that draws ids, slugs and stable ids from real objects most of the time."""

    def values(items):
        return json.dumps(items)

    path.write_text(
        f"""
[dictionaries.ids]
values = {values(data["ids"])}

[dictionaries.slugs]
values = {values(data["slugs"])}

[dictionaries.stable_ids]
values = {values(data["stable_ids"])}

[parameters]
"path.id" = {{ dictionary = "ids", probability = 0.8 }}
"path.slug" = {{ dictionary = "slugs", probability = 0.8 }}
"query.version" = {{ dictionary = "ids", probability = 0.5 }}
"query.against" = {{ dictionary = "ids", probability = 0.5 }}
"body.version" = {{ dictionary = "ids", probability = 0.8 }}
"body.provision" = {{ dictionary = "stable_ids", probability = 0.8 }}
"body.revision" = {{ dictionary = "ids", probability = 0.5 }}

[phases.coverage]
# Requests with methods an operation does not have are answered 405 by Django
# REST framework itself; leaving them out keeps the run within a few minutes.
unexpected-methods = []
""",
        encoding="utf-8",
    )
    return path


# (person, phases, extra options). Every operation is fuzzed as both people.
# The coverage phase (boundary and invalid values of every parameter, one
# request each) is the slow one, so it is given to the operations that write:
# all of them as the stakeholder, and the drafters' own as the drafter.
WRITES = [
    option
    for method in ("POST", "PUT", "PATCH", "DELETE")
    for option in ("--include-method", method)
]
RUNS = {
    "stakeholder": ("stakeholder_a", "examples,fuzzing", []),
    "stakeholder-coverage": ("stakeholder_a", "coverage", WRITES),
    "drafter": ("drafter", "examples,fuzzing", []),
    "drafter-coverage": (
        "drafter",
        "coverage",
        ["--include-tag", "packets", "--include-tag", "dispositions"],
    ),
}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_live_api_conforms_to_its_schema(
    transactional_db, live_server, consultation, run, tmp_path
):
    who, phases, extra = RUNS[run]
    data = _seed_data(consultation)
    token = Token.objects.create(user=getattr(consultation, who)).key
    config = _config(tmp_path / "schemathesis.toml", data)
    command = [
        _schemathesis(),
        "--no-color",
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/schema/",
        "--url",
        live_server.url,
        "--header",
        f"Authorization: Token {token}",
        "--header",
        "Accept: application/json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        phases,
        "--workers",
        "1",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--warnings",
        "off",
        *extra,
    ]
    server_errors = _ServerErrors()
    logging.getLogger("django.request").addHandler(server_errors)
    try:
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=240, cwd=tmp_path, check=False
        )
    finally:
        logging.getLogger("django.request").removeHandler(server_errors)
    output = result.stdout + result.stderr
    assert not server_errors.records, "\n\n".join(server_errors.records)
    assert result.returncode == 0, output[-20000:]
    generated = re.search(r"(\d+) generated", output)
    assert generated, output[-5000:]
    assert int(generated.group(1)) >= 25, output[-5000:]
