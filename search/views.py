"""The search page: a form, facets and one page of results; works without JavaScript.

htmx, when present, swaps only the results (the form's ``hx-get``); the same
view answers with the fragment.
"""

from django.shortcuts import render

from core.web import is_htmx

from . import selectors
from .forms import SearchForm

# Chosen from the facets; the form carries them along when the words change.
FILTERS = (
    "type",
    "draft",
    "version",
    "article",
    "kind",
    "organisation_kind",
    "organisation",
    "disposition",
    "language",
)


def search(request):
    form = SearchForm(request.GET or None)
    params = selectors.SearchParams()
    status = 200
    if form.is_bound:
        if form.is_valid():
            params = form.params()
        else:
            status = 400
    results = selectors.search(user=request.user, params=params)
    template = "search/_results.html" if is_htmx(request) else "search/search.html"
    filter_fields = [form[name] for name in FILTERS]
    context = {"form": form, "results": results, "filter_fields": filter_fields}
    return render(request, template, context, status=status)
