"""Review packets: consolidated bilingual PDFs of a version for the National Assembly.

``services`` (request, retry, build steps), ``selectors`` (content and lists),
``fingerprint``, ``fetcher`` (the WeasyPrint URL whitelist), ``render`` (HTML and
PDF, in parts or in one piece) and ``tasks`` (Celery).
"""
