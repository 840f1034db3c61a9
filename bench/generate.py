"""Generate a large, deterministic consultation in the bench database.

    DJANGO_SETTINGS_MODULE=portal.settings.production \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 \\
        .venv/bin/python bench/generate.py --seed 1

What it writes (the same rows for the same seed):
- 200 organisations of every kind, 2,000 people with memberships (stakeholders,
  drafters and moderators of the lead ministry, officials of the Assembly);
- one draft law of 300 articles in 15 chapters, in three versions: version 1
  and 2 superseded, version 3 open, with text changed, articles removed and
  added between them;
- 20,000 comments on the open version in threads up to 8 deep (questions,
  amendments with proposed text, quoted passages with their prefix and
  suffix), endorsements, and a disposition for every thread; one article
  carries 5,000 comments, two others exactly 10 and 500 (for the query-count
  comparison); 2,000 more comments on the earlier versions, with their
  passage checks;
- a small second draft, open, that the posting benchmark writes into, and API
  tokens for the stakeholders who post.

Rows go in through ``bulk_create_with_history`` so every tracked model keeps
its history, in the shape ``comments.services`` gives them: comment ids are
assigned here so ``thread_path`` (the 12-digit ids from the root down),
``root``, ``depth`` and ``thread_organisation`` are right on insert; every
thread's first comment has a Disposition; ``body_html`` is rendered by
``comments.rendering.render_markdown`` once per distinct body.

A marker row (table ``bench_marker``) records the seed and a hash of this
file, so the runner reuses a database that is already generated.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from comments.models import Comment, Disposition, Endorsement, Visibility  # noqa: E402
from comments.rendering import render_markdown  # noqa: E402
from comments.services import passage_checks_record, quote_selector  # noqa: E402
from drafts.models import Draft, DraftVersion, Provision  # noqa: E402
from drafts.services import POSITION_STEP  # noqa: E402
from stakeholders.models import Membership, Organisation, User  # noqa: E402

BATCH = 5000
PASSWORD = "bench-password-2026"  # every generated account; documented in docs/benchmarks.md
MAX_DEPTH = 7  # depth 0..7: threads eight levels deep
DRAFT_SLUG = "bench-cybersecurity-law"
POSTING_DRAFT_SLUG = "bench-posting-target"

N_ORGANISATIONS = 200
N_USERS = 2000
N_CHAPTERS = 15
ARTICLES_PER_CHAPTER = 20
N_COMMENTS_OPEN = 20_000
N_COMMENTS_EARLIER = {1: 1200, 2: 800}
# Articles (by number in version 3) with a fixed number of comments.
FIXED_ARTICLES = {"big": (37, 5000), "medium": (118, 500), "small": (201, 10)}
POSTING_ARTICLES = 10
OTHER_ARTICLE_CAP = 450
TOKEN_USERS = 400

ORGANISATION_KINDS = [
    (Organisation.Kind.MINISTRY, 20),
    (Organisation.Kind.NATIONAL_ASSEMBLY, 3),
    (Organisation.Kind.EMBASSY, 25),
    (Organisation.Kind.NGO, 70),
    (Organisation.Kind.PRIVATE_SECTOR, 50),
    (Organisation.Kind.INTERNATIONAL_ORG, 17),
    (Organisation.Kind.ACADEMIC, 15),
]

EN_SUBJECTS = [
    "The competent authority",
    "A service provider",
    "Any person",
    "The Ministry",
    "A network operator",
    "The data controller",
    "The court",
    "A public body",
    "An operator of critical infrastructure",
    "The National Committee",
]
EN_VERBS = [
    "shall notify",
    "may request",
    "shall keep",
    "must not disclose",
    "shall publish",
    "may inspect",
    "shall protect",
    "shall report",
    "may suspend",
    "shall review",
]
EN_OBJECTS = [
    "traffic data for no longer than ninety days",
    "the personal data of its users",
    "any security incident within seventy-two hours",
    "the list of designated systems each year",
    "content that a court has found unlawful",
    "the records of every request it receives",
    "an independent audit of its security measures",
    "the reasons for every decision in writing",
    "access to a computer system without right",
    "the information needed for an investigation",
]
EN_CONDITIONS = [
    "in accordance with this law",
    "unless a court orders otherwise",
    "after consulting the persons concerned",
    "within the time set by sub-decree",
    "subject to the safeguards in Chapter 9",
    "where the public interest so requires",
    "in a manner that respects freedom of expression",
    "with the written approval of the Minister",
]
KM_WORDS = [
    "ច្បាប់",
    "ប្រព័ន្ធ",
    "កុំព្យូទ័រ",
    "ទិន្នន័យ",
    "ការពារ",
    "អ្នកផ្តល់សេវា",
    "ក្រសួង",
    "ព័ត៌មាន",
    "បច្ចេកវិទ្យា",
    "សិទ្ធិ",
    "សេរីភាព",
    "និង",
    "នៃ",
    "ដែល",
    "ត្រូវ",
    "មាន",
    "បទល្មើស",
    "ទោស",
    "តុលាការ",
    "អាជ្ញាធរ",
    "សាធារណៈ",
    "ឯកជន",
    "សេវា",
    "បណ្តាញ",
    "សុវត្ថិភាព",
    "រដ្ឋាភិបាល",
    "ពលរដ្ឋ",
    "ការស៊ើបអង្កេត",
]
COMMENT_OPENINGS = [
    "We welcome this article but",
    "This provision is too broad:",
    "Please clarify whether",
    "Our members are concerned that",
    "International practice suggests that",
    "We support the intent, however",
    "It is unclear who decides when",
    "The time limit is unrealistic because",
    "This overlaps with the existing law on telecommunications;",
    "Small businesses cannot comply unless",
]
COMMENT_MIDDLES = [
    "the term **computer system** is not defined",
    "the authority's powers have no judicial oversight",
    "retention periods should be *proportionate* to the purpose",
    "the penalty does not distinguish intent from negligence",
    "notification duties fall on providers with no security staff",
    "the article should refer to the data protection principles",
    "users are not told when their data is requested",
    "a right of appeal to an independent body is missing",
    "the wording could criminalise legitimate security research",
    "the sub-decree should be published for consultation as well",
]
COMMENT_CLOSINGS = [
    "We propose narrowing the scope.",
    "See the [Budapest Convention](https://www.coe.int/en/web/cybercrime) for a model.",
    "We would be glad to meet the drafting team.",
    "- define the term\n- add a time limit\n- add oversight",
    "Could the Ministry publish its impact assessment?",
    "",
    "Thank you for the opportunity to comment.",
    "> A provider shall notify the authority.\n\nNotify whom, and how?",
]
REPLY_BODIES = [
    "We agree with this point.",
    "Could you give an example of where this would apply?",
    "The Ministry notes the concern and will review the wording.",
    "Our association shares this view and **endorses** the proposal.",
    "This was discussed at the public hearing; see the minutes.",
    "We disagree: the current text is consistent with regional practice.",
    "Thank you. Would a 30-day limit address your concern?",
    "Yes, provided the court can extend it in writing.",
    "The same issue arises in Article 12.",
    "Please see our written submission, section 3.",
]
RESPONSES = [
    "The article has been revised to narrow its scope.",
    "The Ministry keeps the wording; the safeguard is in Chapter 9.",
    "Accepted in part: the time limit is now thirty days.",
    "Noted; this will be addressed in the implementing sub-decree.",
    "Rejected: the proposal conflicts with the Criminal Code.",
]
FIRST_NAMES = ["Sokha", "Dara", "Vanna", "Chenda", "Piseth", "Sreymom", "Rithy", "Bopha", "Kosal"]
LAST_NAMES = ["Chan", "Sok", "Kim", "Meas", "Heng", "Ly", "Nguon", "Prak", "Srey", "Tep"]


def marker_exists(seed: int, digest: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_marker') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(
            "SELECT 1 FROM bench_marker WHERE seed = %s AND generator = %s", [seed, digest]
        )
        return cursor.fetchone() is not None


def write_marker(seed: int, digest: str, seconds: float, counts: dict) -> None:
    import json

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_marker (seed integer, generator text, "
            "seconds double precision, counts jsonb, created_at timestamptz DEFAULT now())"
        )
        cursor.execute("DELETE FROM bench_marker")
        cursor.execute(
            "INSERT INTO bench_marker (seed, generator, seconds, counts) VALUES (%s, %s, %s, %s)",
            [seed, digest, seconds, json.dumps(counts)],
        )


def generator_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)
    _last: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = round(now - self._last, 2)
        self._last = now
        print(f"  {name}: {self.steps[name]:.1f}s", flush=True)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        self._html_cache: dict[str, str] = {}
        self.timings = Timings()
        self.counts: dict[str, int] = {}

    # --- text -------------------------------------------------------------------------

    def html(self, text: str) -> str:
        cached = self._html_cache.get(text)
        if cached is None:
            cached = self._html_cache[text] = render_markdown(text)
        return cached

    def sentence_en(self) -> str:
        r = self.rng
        return (
            f"{r.choice(EN_SUBJECTS)} {r.choice(EN_VERBS)} {r.choice(EN_OBJECTS)} "
            f"{r.choice(EN_CONDITIONS)}."
        )

    def paragraph_en(self, sentences: int) -> str:
        return " ".join(self.sentence_en() for _ in range(sentences))

    def text_km(self, sentences: int) -> str:
        r = self.rng
        out = []
        for _ in range(sentences):
            phrases = [
                "".join(r.choice(KM_WORDS) for _ in range(r.randint(3, 5)))
                for _ in range(r.randint(2, 4))
            ]
            out.append(" ".join(phrases) + "។")
        return " ".join(out)

    def comment_body(self) -> str:
        r = self.rng
        body = f"{r.choice(COMMENT_OPENINGS)} {r.choice(COMMENT_MIDDLES)}."
        closing = r.choice(COMMENT_CLOSINGS)
        return f"{body}\n\n{closing}" if closing else body

    # --- people -----------------------------------------------------------------------

    def organisations(self) -> None:
        rows = []
        index = 0
        for kind, count in ORGANISATION_KINDS:
            for n in range(count):
                index += 1
                label = kind.label
                rows.append(
                    Organisation(
                        slug=f"bench-{kind.value.replace('_', '-')}-{n + 1}",
                        name_en=f"{label} {n + 1}",
                        name_km=f"អង្គការ {label} {n + 1}",
                        kind=kind,
                        country="KH" if kind != Organisation.Kind.EMBASSY else "XX",
                        verified=self.rng.random() < 0.8,
                    )
                )
        self.orgs = bulk_create_with_history(
            rows, Organisation, batch_size=BATCH, default_change_reason="Generated for bench"
        )
        self.lead = self.orgs[0]  # the first ministry leads the draft
        self.partner = self.orgs[1]  # a second ministry drafts with it
        self.assembly_orgs = [o for o in self.orgs if o.kind == Organisation.Kind.NATIONAL_ASSEMBLY]
        self.counts["organisations"] = len(self.orgs)
        self.timings.lap("organisations")

    def people(self) -> None:
        r = self.rng
        password = make_password(PASSWORD)
        users = [
            User(
                username="bench-admin",
                display_name="Bench Administrator",
                email="admin@bench.invalid",
                password=password,
                is_staff=True,
                is_superuser=True,
            )
        ]
        for i in range(N_USERS):
            first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
            users.append(
                User(
                    username=f"u{i:04d}",
                    first_name=first,
                    last_name=last,
                    display_name=f"{first} {last} {i}",
                    email=f"u{i:04d}@bench.invalid",
                    password=password,
                    preferred_language="km" if r.random() < 0.4 else "en",
                )
            )
        # Roles: the lead ministry has 20 drafters and 5 moderators, its partner
        # 5 drafters; the Assembly has 30 officials; everybody else speaks for an
        # organisation as a stakeholder, and one in ten for a second one too.
        plan: list[tuple[int, Organisation, str]] = []
        for i in range(N_USERS):
            if i < 20:
                plan.append((i, self.lead, Membership.Role.DRAFTER))
            elif i < 25:
                plan.append((i, self.lead, Membership.Role.MODERATOR))
            elif i < 30:
                plan.append((i, self.partner, Membership.Role.DRAFTER))
            elif i < 60:
                plan.append((i, self.assembly_orgs[i % len(self.assembly_orgs)], "official"))
            else:
                plan.append((i, self.orgs[i % len(self.orgs)], Membership.Role.STAKEHOLDER))
        for user_index, org, _role in plan:
            users[user_index + 1].active_organisation = org
        self.users = bulk_create_with_history(
            users, User, batch_size=BATCH, default_change_reason="Generated for bench"
        )
        self.admin = self.users[0]
        people = self.users[1:]
        memberships = []
        first_of_org: set[int] = set()
        for user_index, org, role in plan:
            memberships.append(
                Membership(
                    user=people[user_index],
                    organisation=org,
                    role=role,
                    is_org_admin=org.pk not in first_of_org,
                    granted_by=self.admin,
                )
            )
            first_of_org.add(org.pk)
            if role == Membership.Role.STAKEHOLDER and r.random() < 0.1:
                other = r.choice(self.orgs)
                if other.pk != org.pk:
                    memberships.append(
                        Membership(
                            user=people[user_index],
                            organisation=other,
                            role=Membership.Role.STAKEHOLDER,
                            granted_by=self.admin,
                        )
                    )
        bulk_create_with_history(
            memberships,
            Membership,
            batch_size=BATCH,
            default_user=self.admin,
            default_change_reason="Generated for bench",
        )
        self.drafters = people[:20]
        self.moderators = people[20:25]
        self.stakeholders = people[60:]
        self.members_of: dict[int, list[User]] = {}
        for user in self.stakeholders:
            self.members_of.setdefault(user.active_organisation_id, []).append(user)
        self.endorsing_orgs = sorted(self.members_of)
        # API tokens for the posting benchmark: two stakeholders of each organisation.
        token_users = []
        for org_id in sorted(self.members_of):
            token_users.extend(self.members_of[org_id][:2])
        Token.objects.bulk_create(
            [Token(user=u, key=token_for(self.seed, u.username)) for u in token_users[:TOKEN_USERS]]
        )
        self.counts["users"] = len(self.users)
        self.counts["memberships"] = len(memberships)
        self.counts["tokens"] = min(len(token_users), TOKEN_USERS)
        self.timings.lap("people")

    # --- the draft --------------------------------------------------------------------

    def draft(self) -> None:
        draft = Draft(
            slug=DRAFT_SLUG,
            title_en="Draft Law on Cybersecurity (benchmark)",
            title_km="សេចក្តីព្រាងច្បាប់ស្តីពីសន្តិសុខតាមប្រព័ន្ធបច្ចេកវិទ្យា",
            short_title_en="Cybersecurity Law",
            short_title_km="ច្បាប់សន្តិសុខបច្ចេកវិទ្យា",
            summary_en="A large synthetic consultation for the benchmarks.",
            lead_ministry=self.lead,
        )
        draft._change_reason = "Draft created"
        draft._history_user = self.drafters[0]
        draft.save()
        draft.drafting_partners.add(self.partner)
        self.the_draft = draft
        d1 = self.now - timedelta(days=120)
        d2 = self.now - timedelta(days=70)
        d3 = self.now - timedelta(days=20)
        far = self.now + timedelta(days=3650)
        specs = [
            (1, DraftVersion.Status.SUPERSEDED, d1, d2 - timedelta(days=5)),
            (2, DraftVersion.Status.SUPERSEDED, d2, d3 - timedelta(days=3)),
            (3, DraftVersion.Status.IN_CONSULTATION, d3, far),
        ]
        versions = []
        parent = None
        for number, status, opens, closes in specs:
            version = DraftVersion(
                draft=draft,
                number=number,
                status=status,
                parent=parent,
                opens_at=opens,
                closes_at=closes,
                published_at=opens,
                published_by=self.drafters[0],
                author=self.drafters[0],
                change_note_en=f"Version {number} for consultation.",
            )
            version._change_reason = f"Version {number} published"
            version._history_user = self.drafters[0]
            version.save()
            versions.append(version)
            parent = version
        self.versions = versions

        # Version 1's text; each later version edits about one article in eight,
        # removes two articles and adds two, all keeping stable ids.
        base = {}
        number = 0
        for chapter in range(1, N_CHAPTERS + 1):
            for _ in range(ARTICLES_PER_CHAPTER):
                number += 1
                base[f"chp_{chapter}__art_{number}"] = {
                    "chapter": chapter,
                    "heading_en": f"{self.rng.choice(EN_OBJECTS).split(' ')[0].title()} "
                    f"duties {number}",
                    "heading_km": f"មាត្រា {number}",
                    "text_en": self.paragraph_en(self.rng.randint(3, 7)),
                    "text_km": self.text_km(self.rng.randint(2, 4)),
                }
        texts = {1: base}
        fixed_ids = {
            f"chp_{(n - 1) // ARTICLES_PER_CHAPTER + 1}__art_{n}"
            for n, _c in FIXED_ARTICLES.values()
        }
        for version_number in (2, 3):
            current = {
                k: dict(v) for k, v in texts[version_number - 1].items() if not v.get("removed")
            }
            candidates = sorted(set(current) - fixed_ids)
            for stable_id in self.rng.sample(candidates, len(candidates) // 8):
                sentences = current[stable_id]["text_en"].split(". ")
                sentences[self.rng.randrange(len(sentences))] = self.sentence_en().rstrip(".")
                current[stable_id]["text_en"] = ". ".join(sentences).rstrip(".") + "."
                current[stable_id]["text_km"] = self.text_km(self.rng.randint(2, 4))
            for stable_id in self.rng.sample(candidates, 2):
                current[stable_id]["removed"] = True
            for extra in (1, 2):
                chapter = self.rng.randint(1, N_CHAPTERS)
                current[f"chp_{chapter}__art_v{version_number}n{extra}"] = {
                    "chapter": chapter,
                    "heading_en": f"New duties in version {version_number}",
                    "heading_km": "មាត្រាថ្មី",
                    "text_en": self.paragraph_en(4),
                    "text_km": self.text_km(3),
                }
            texts[version_number] = current

        self.articles: dict[int, list[Provision]] = {}
        self.fixed: dict[str, Provision] = {}
        provisions_total = 0
        for version in versions:
            version_text = texts[version.number]
            chapters = [
                Provision(
                    version=version,
                    stable_id=f"chp_{c}",
                    kind=Provision.Kind.CHAPTER,
                    number=str(c),
                    heading_en=f"Chapter {c}: {EN_OBJECTS[c % len(EN_OBJECTS)].split(' ')[-1].title()}",
                    heading_km=f"ជំពូកទី {c}",
                    position=0,
                )
                for c in range(1, N_CHAPTERS + 1)
            ]
            rows = []
            position = 0
            article_number = 0
            for c, chapter in enumerate(chapters, start=1):
                position += 1
                chapter.position = position * POSITION_STEP
                rows.append(chapter)
                for stable_id, spec in version_text.items():
                    if spec["chapter"] != c:
                        continue
                    position += 1
                    removed = spec.get("removed", False)
                    if not removed:
                        article_number += 1
                    rows.append(
                        Provision(
                            version=version,
                            stable_id=stable_id,
                            kind=Provision.Kind.ARTICLE,
                            number="" if removed else str(article_number),
                            heading_en=spec["heading_en"],
                            heading_km=spec["heading_km"],
                            text_en=spec["text_en"],
                            text_km=spec["text_km"],
                            position=position * POSITION_STEP,
                            removed_at=version.opens_at - timedelta(days=1) if removed else None,
                            removed_by=self.drafters[0] if removed else None,
                        )
                    )
                    rows[-1]._chapter = chapter
            for row in rows:
                row._history_user = self.drafters[0]
                row._history_date = version.opens_at - timedelta(days=2)
            bulk_create_with_history(
                chapters, Provision, batch_size=BATCH, default_change_reason="Imported"
            )
            articles = [row for row in rows if row.kind == Provision.Kind.ARTICLE]
            for article in articles:
                article.parent = article._chapter
            bulk_create_with_history(
                articles, Provision, batch_size=BATCH, default_change_reason="Imported"
            )
            provisions_total += len(rows)
            self.articles[version.number] = [a for a in articles if a.removed_at is None]
        for name, (number, _count) in FIXED_ARTICLES.items():
            stable_id = f"chp_{(number - 1) // ARTICLES_PER_CHAPTER + 1}__art_{number}"
            self.fixed[name] = next(a for a in self.articles[3] if a.stable_id == stable_id)
        self.counts["provisions"] = provisions_total
        self.counts["articles_in_open_version"] = len(self.articles[3])
        self.timings.lap("draft and provisions")

    def posting_draft(self) -> None:
        """A small open draft that the posting benchmark writes into, leaving the big one as generated."""
        draft = Draft(
            slug=POSTING_DRAFT_SLUG,
            title_en="Draft Sub-decree on Incident Reporting (posting benchmark)",
            short_title_en="Incident Reporting Sub-decree",
            lead_ministry=self.lead,
        )
        draft._change_reason = "Draft created"
        draft.save()
        version = DraftVersion(
            draft=draft,
            number=1,
            status=DraftVersion.Status.IN_CONSULTATION,
            opens_at=self.now - timedelta(days=5),
            closes_at=self.now + timedelta(days=3650),
            published_at=self.now - timedelta(days=5),
            published_by=self.drafters[0],
            author=self.drafters[0],
        )
        version._change_reason = "Version 1 published"
        version.save()
        rows = [
            Provision(
                version=version,
                stable_id=f"art_{n}",
                kind=Provision.Kind.ARTICLE,
                number=str(n),
                heading_en=f"Reporting duty {n}",
                text_en=self.paragraph_en(3),
                text_km=self.text_km(2),
                position=n * POSITION_STEP,
            )
            for n in range(1, POSTING_ARTICLES + 1)
        ]
        bulk_create_with_history(rows, Provision, default_change_reason="Imported")
        self.timings.lap("posting draft")

    # --- comments ---------------------------------------------------------------------

    def _quote(self, text: str) -> tuple[str, str, str]:
        words = text.split(" ")
        length = self.rng.randint(4, 10)
        start = self.rng.randrange(0, max(1, len(words) - length))
        exact = " ".join(words[start : start + length]).strip()
        prefix, suffix = quote_selector(text, exact)
        return exact, prefix, suffix

    def _thread_sizes(self, total: int) -> list[int]:
        sizes = []
        remaining = total
        while remaining > 0:
            roll = self.rng.random()
            if roll < 0.4:
                size = 1
            elif roll < 0.8:
                size = self.rng.randint(2, 6)
            else:
                size = self.rng.randint(7, 24)
            size = min(size, remaining)
            sizes.append(size)
            remaining -= size
        return sizes

    def comments_for(self, version: DraftVersion, plan: list[tuple[Provision, int]]) -> None:
        r = self.rng
        window = (min(version.closes_at, self.now) - version.opens_at).total_seconds()
        closed = version.status != DraftVersion.Status.IN_CONSULTATION
        next_version = next((v for v in self.versions if v.number == version.number + 1), None)
        comments: list[Comment] = []
        dispositions: list[Disposition] = []
        endorsements: list[Endorsement] = []
        for provision, total in plan:
            for size in self._thread_sizes(total):
                thread: list[Comment] = []
                for position_in_thread in range(size):
                    self.next_id += 1
                    if position_in_thread == 0:
                        parent = None
                        author = r.choice(self.stakeholders)
                        organisation_id = author.active_organisation_id
                        roll = r.random()
                        kind = (
                            Comment.Kind.COMMENT
                            if roll < 0.6
                            else Comment.Kind.QUESTION
                            if roll < 0.8
                            else Comment.Kind.AMENDMENT
                        )
                        roll = r.random()
                        visibility = (
                            Visibility.PUBLIC
                            if roll < 0.85
                            else Visibility.PARTICIPANTS
                            if roll < 0.95
                            else Visibility.RESTRICTED
                        )
                        created = version.opens_at + timedelta(seconds=r.uniform(0, window * 0.8))
                        body = self.comment_body()
                    else:
                        # Half the replies answer the latest comment, so chains grow deep.
                        candidates = [c for c in thread if c.depth < MAX_DEPTH]
                        if r.random() < 0.5 and thread[-1].depth < MAX_DEPTH:
                            parent = thread[-1]
                        else:
                            parent = r.choice(candidates)
                        if r.random() < 0.15:
                            author = r.choice(self.drafters)
                            organisation_id = self.lead.pk
                        else:
                            author = r.choice(self.stakeholders)
                            organisation_id = author.active_organisation_id
                        kind = Comment.Kind.COMMENT
                        visibility = parent.visibility
                        if visibility == Visibility.PUBLIC and r.random() < 0.05:
                            visibility = Visibility.PARTICIPANTS
                        created = parent.created_at + timedelta(minutes=r.randint(5, 4000))
                        body = r.choice(REPLY_BODIES)
                    comment = Comment(
                        id=self.next_id,
                        version=version,
                        provision=provision,
                        parent=parent,
                        root_id=(parent.root_id or parent.pk) if parent else None,
                        depth=parent.depth + 1 if parent else 0,
                        thread_path=(
                            f"{parent.thread_path}.{self.next_id:012d}"
                            if parent
                            else f"{self.next_id:012d}"
                        ),
                        kind=kind,
                        visibility=visibility,
                        body=body,
                        body_html=self.html(body),
                        author=author,
                        organisation_id=organisation_id,
                        thread_organisation_id=(
                            parent.thread_organisation_id if parent else organisation_id
                        ),
                        created_at=created,
                    )
                    if parent is None:
                        comment.provision_text_at_posting = provision.text_en
                        if r.random() < 0.35 or kind == Comment.Kind.AMENDMENT:
                            language = "km" if r.random() < 0.2 else "en"
                            source = provision.text_km if language == "km" else provision.text_en
                            (
                                comment.quote_exact,
                                comment.quote_prefix,
                                comment.quote_suffix,
                            ) = self._quote(source)
                            comment.quote_language = language
                        if kind == Comment.Kind.AMENDMENT:
                            replacement = self.sentence_en()
                            comment.proposed_text = (
                                provision.text_en.replace(
                                    comment.quote_exact, replacement.rstrip("."), 1
                                )
                                if comment.quote_language == "en"
                                else replacement
                            )
                    roll = r.random()
                    if roll < 0.02:
                        comment.state = Comment.State.WITHDRAWN
                        comment.withdrawn_at = created + timedelta(hours=2)
                        comment.withdrawal_reason = "Superseded by our joint submission."
                    elif roll < 0.03:
                        comment.state = Comment.State.HIDDEN
                        comment.hidden_at = created + timedelta(hours=5)
                        comment.hidden_by = r.choice(self.moderators)
                        comment.hidden_reason = "Personal attack on a named official."
                    elif roll < 0.06:
                        comment.edited_at = created + timedelta(minutes=10)
                        comment.revision = 2
                    comment._history_user = author
                    comment._history_date = created
                    comment._change_reason = "Replied" if parent else "Posted"
                    thread.append(comment)
                comments.extend(thread)
                root = thread[0]
                dispositions.append(self._disposition(root, closed, next_version))
                if r.random() < 0.3 and root.state == Comment.State.ACTIVE:
                    endorsers = r.sample(self.endorsing_orgs, r.randint(1, 6))
                    for org_id in endorsers:
                        if org_id == root.organisation_id:
                            continue
                        endorsements.append(self._endorsement(root, org_id))
        self._insert(comments, dispositions, endorsements)

    def _endorsement(self, root: Comment, org_id: int) -> Endorsement:
        user = self.members_of[org_id][0]
        endorsement = Endorsement(comment_id=root.pk, organisation_id=org_id, user=user)
        endorsement._history_user = user
        endorsement._history_date = root.created_at + timedelta(hours=self.rng.randint(1, 200))
        return endorsement

    def _disposition(self, root: Comment, closed: bool, next_version) -> Disposition:
        r = self.rng
        disposition = Disposition(comment_id=root.pk)
        disposition._history_user = root.author
        disposition._history_date = root.created_at
        disposition._change_reason = "Posted"
        answered = r.random() < (0.8 if closed else 0.4)
        if answered and root.state == Comment.State.ACTIVE:
            status = r.choice(
                [
                    Disposition.Status.ACCEPTED,
                    Disposition.Status.PARTLY_ACCEPTED,
                    Disposition.Status.REJECTED,
                    Disposition.Status.NOTED,
                ]
            )
            disposition.status = status
            disposition.response = r.choice(RESPONSES)
            disposition.response_html = self.html(disposition.response)
            disposition.responded_by = r.choice(self.drafters)
            disposition.responded_at = root.created_at + timedelta(days=r.randint(1, 20))
            disposition.revision = 2
            disposition._history_user = disposition.responded_by
            disposition._history_date = disposition.responded_at
            disposition._change_reason = "Disposition recorded"
            if next_version is not None and status in (
                Disposition.Status.ACCEPTED,
                Disposition.Status.PARTLY_ACCEPTED,
            ):
                disposition.applied_in_version = next_version
        return disposition

    def _insert(self, comments, dispositions, endorsements) -> None:
        bulk_create_with_history(comments, Comment, batch_size=BATCH)
        bulk_create_with_history(dispositions, Disposition, batch_size=BATCH)
        bulk_create_with_history(endorsements, Endorsement, batch_size=BATCH)
        self.counts["comments"] = self.counts.get("comments", 0) + len(comments)
        self.counts["threads"] = self.counts.get("threads", 0) + len(dispositions)
        self.counts["endorsements"] = self.counts.get("endorsements", 0) + len(endorsements)

    def all_comments(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM comments_comment")
            self.next_id = cursor.fetchone()[0]
        for number, total in N_COMMENTS_EARLIER.items():
            articles = self.articles[number]
            per = [total // len(articles)] * len(articles)
            for i in range(total - sum(per)):
                per[i] += 1
            self.comments_for(self.versions[number - 1], list(zip(articles, per, strict=True)))
        self.timings.lap(f"comments on versions 1 and 2 ({sum(N_COMMENTS_EARLIER.values())})")

        fixed_pks = {p.pk for p in self.fixed.values()}
        others = [a for a in self.articles[3] if a.pk not in fixed_pks]
        remaining = N_COMMENTS_OPEN - sum(count for _n, count in FIXED_ARTICLES.values())
        # Uneven, as in life: some articles draw many more comments than others.
        weights = [self.rng.paretovariate(1.5) for _ in others]
        scale = remaining / sum(weights)
        # Capped below the fixed articles, so the 5,000-comment article is the largest.
        per = [min(OTHER_ARTICLE_CAP, max(1, int(w * scale))) for w in weights]
        while sum(per) > remaining:
            per[per.index(max(per))] -= 1
        i = 0
        while sum(per) < remaining:
            if per[i % len(per)] < OTHER_ARTICLE_CAP:
                per[i % len(per)] += 1
            i += 1
        plan = [(self.fixed[name], count) for name, (_n, count) in FIXED_ARTICLES.items()]
        plan += list(zip(others, per, strict=True))
        self.comments_for(self.versions[2], plan)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('comments_comment', 'id'), %s)",
                [self.next_id],
            )
        self.timings.lap(f"comments on version 3 ({N_COMMENTS_OPEN})")
        checks = passage_checks_record(version=self.versions[1])
        checks += passage_checks_record(version=self.versions[2])
        self.counts["passage_checks"] = checks
        self.timings.lap("passage checks")

    def run(self) -> None:
        with transaction.atomic():
            self.organisations()
            self.people()
            self.draft()
            self.posting_draft()
            self.all_comments()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.timings.lap("analyze")


CHECKS = {
    "comments whose thread_path does not end with their own id": """
        SELECT count(*) FROM comments_comment
        WHERE thread_path NOT LIKE '%%' || lpad(id::text, 12, '0')""",
    "replies whose path does not extend their parent's": """
        SELECT count(*) FROM comments_comment c JOIN comments_comment p ON p.id = c.parent_id
        WHERE c.thread_path <> p.thread_path || '.' || lpad(c.id::text, 12, '0')
           OR c.depth <> p.depth + 1
           OR c.root_id <> COALESCE(p.root_id, p.id)
           OR c.thread_organisation_id <> p.thread_organisation_id
           OR c.provision_id <> p.provision_id""",
    "threads without a disposition": """
        SELECT count(*) FROM comments_comment c
        LEFT JOIN comments_disposition d ON d.comment_id = c.id
        WHERE c.parent_id IS NULL AND d.id IS NULL""",
    "dispositions on replies": """
        SELECT count(*) FROM comments_disposition d JOIN comments_comment c ON c.id = d.comment_id
        WHERE c.parent_id IS NOT NULL""",
    "quotes not found in the article's text": """
        SELECT count(*) FROM comments_comment c JOIN drafts_provision p ON p.id = c.provision_id
        WHERE c.quote_exact <> '' AND strpos(
            CASE WHEN c.quote_language = 'km' THEN p.text_km ELSE p.text_en END,
            c.quote_prefix || c.quote_exact || c.quote_suffix) = 0""",
    "comments without a history row": """
        SELECT count(*) FROM comments_comment c
        WHERE NOT EXISTS (SELECT 1 FROM comments_historicalcomment h WHERE h.id = c.id)""",
    "amendments without proposed text": """
        SELECT count(*) FROM comments_comment WHERE kind = 'amendment' AND proposed_text = ''""",
}


def check() -> dict:
    """Count rows that break the domain's invariants (all should be zero) and describe the data."""
    problems = {}
    with connection.cursor() as cursor:
        for name, sql in CHECKS.items():
            cursor.execute(sql)
            problems[name] = cursor.fetchone()[0]
        cursor.execute(
            """SELECT p.stable_id, count(c.id), max(c.depth)
               FROM drafts_provision p
               JOIN drafts_draftversion v ON v.id = p.version_id AND v.number = 3
               JOIN drafts_draft d ON d.id = v.draft_id AND d.slug = %s
               LEFT JOIN comments_comment c ON c.provision_id = p.id
               GROUP BY p.stable_id ORDER BY count(c.id) DESC""",
            [DRAFT_SLUG],
        )
        per_article = cursor.fetchall()
    return {
        "problems": problems,
        "articles": len(per_article),
        "largest": per_article[:3],
        "max_depth": max(row[2] or 0 for row in per_article),
        "fixed": {
            name: next(row[1] for row in per_article if row[0].endswith(f"__art_{number}"))
            for name, (number, _count) in FIXED_ARTICLES.items()
        },
    }


def token_for(seed: int, username: str) -> str:
    """The API token of a generated account; the runner derives the same keys."""
    return hashlib.sha1(
        f"portal-bench:{seed}:{username}".encode(), usedforsecurity=False
    ).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="only check the invariants")
    parser.add_argument(
        "--force", action="store_true", help="generate even if the marker says it is done"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/generate.py needs PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        return 2
    digest = generator_digest()
    if args.check:
        result = check()
        print(result)
        return 1 if any(result["problems"].values()) else 0
    if not args.force and marker_exists(args.seed, digest):
        print(f"Bench data for seed {args.seed} already generated; reusing it.")
        return 0
    if Draft.objects.filter(slug=DRAFT_SLUG).exists():
        print("The database holds other bench data; the runner recreates it.", file=sys.stderr)
        return 3
    print(f"Generating the bench consultation (seed {args.seed})…", flush=True)
    started = time.perf_counter()
    generator = Generator(args.seed)
    generator.run()
    seconds = round(time.perf_counter() - started, 1)
    generator.counts["distinct_bodies_rendered"] = len(generator._html_cache)
    write_marker(
        args.seed, digest, seconds, {"counts": generator.counts, "steps": generator.timings.steps}
    )
    print(f"Generated in {seconds:.1f}s: {generator.counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
