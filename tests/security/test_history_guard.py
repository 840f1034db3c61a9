"""History is never written around: no queryset ``update``, bulk writes or deletes on
models that keep a django-simple-history trail, anywhere in the application code.

A line that must do it anyway says why with ``# history-safe: <reason>``.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
SKIP_PARTS = {".venv", "node_modules", "tests", "bench", "migrations", "data", ".git", "locale"}
WRITES = {"update", "bulk_create", "bulk_update", "delete"}
ALLOWED = re.compile(r"#\s*history-safe:\s*\S")


def tracked_models():
    return [m for m in apps.get_models() if hasattr(m, "history") and m._meta.app_label != "auth"]


def tracked_names() -> tuple[set[str], set[str], set[str]]:
    """Class names, reverse/forward accessors that yield tracked rows, and instance names."""
    models = tracked_models()
    classes = {m.__name__ for m in models}
    accessors = set()
    for model in apps.get_models():
        for rel in model._meta.get_fields():
            target = getattr(rel, "related_model", None)
            if target in models and (rel.one_to_many or rel.many_to_many):
                name = rel.get_accessor_name() if rel.auto_created else rel.name
                if name:
                    accessors.add(name)
    instances = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() for name in classes}
    return classes, accessors, instances


def _chain(node):
    """The attribute names and the root name of a receiver like ``Comment.objects.filter(x)``."""
    attrs = []
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    root = node.id if isinstance(node, ast.Name) else None
    return attrs, root


def violations_in(source: str, filename: str, names) -> list[str]:
    classes, accessors, instances = names
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITES:
            continue
        attrs, root = _chain(node.func.value)
        suspicious = (
            root in classes
            or any(a in accessors for a in attrs)
            or (
                node.func.attr == "delete"
                and (root in instances or (attrs and attrs[0] in instances))
            )
        )
        if not suspicious:
            continue
        start, end = node.lineno, getattr(node, "end_lineno", node.lineno)
        if any(ALLOWED.search(lines[i - 1]) for i in range(start, end + 1)):
            continue
        found.append(f"{filename}:{node.lineno}: .{node.func.attr}() on a history-tracked model")
    return found


def app_sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_PARTS & set(rel.parts):
            continue
        yield rel, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def names():
    return tracked_names()


def test_the_tracked_models_are_the_ones_people_edit(names):
    classes, accessors, _instances = names
    expected = {"Comment", "Disposition", "Endorsement", "Report", "Membership", "Provision"}
    assert expected <= classes
    assert {"comments", "replies", "provisions", "memberships"} <= accessors


def test_no_write_around_history_in_application_code(names):
    problems = []
    scanned = 0
    for rel, source in app_sources():
        scanned += 1
        problems += violations_in(source, str(rel), names)
    assert scanned > 20
    assert not problems, "Writes that bypass django-simple-history:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "snippet",
    [
        "Comment.objects.filter(pk=1).update(state='hidden')",
        "Provision.objects.bulk_create(rows)",
        "Membership.objects.bulk_update(rows, ['role'])",
        "version.provisions.filter(kind='article').update(number='')",
        "comment.replies.all().delete()",
        "comment.delete()",
        "Disposition.objects.filter(\n    comment=c\n).update(status='noted')",
    ],
)
def test_the_guard_catches_writes_around_history(names, snippet):
    assert violations_in(snippet, "example.py", names), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "context.update(extra)",
        "PassageCheck.objects.bulk_create(checks)",
        "bulk_create_with_history(rows, Provision)",
        "Comment.objects.filter(pk=1).update(state='x')  # history-safe: test fixture only",
        "cache.delete(key)",
    ],
)
def test_the_guard_lets_safe_code_through(names, snippet):
    assert not violations_in(snippet, "example.py", names), snippet
