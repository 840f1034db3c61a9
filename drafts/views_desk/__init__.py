"""The drafting desk: working versions, the review desk, publishing, redlines, the matrix, history.

Views parse the request, call one service or selector, and render. Permissions
come from ``stakeholders.policies``; a refusal is shown as a 403 page that says
why (``PolicyDenied`` carries the translated reason).
"""

from .compare import compare, compare_article, compare_index
from .history import history
from .matrix import matrix, matrix_csv, matrix_xlsx
from .review import apply, respond, review
from .versions import (
    desk_home,
    provision_add,
    provision_edit,
    provision_move,
    provision_remove,
    publish,
    renumber,
    start_version,
    version_view,
)

__all__ = [
    "apply",
    "compare",
    "compare_article",
    "compare_index",
    "desk_home",
    "history",
    "matrix",
    "matrix_csv",
    "matrix_xlsx",
    "provision_add",
    "provision_edit",
    "provision_move",
    "provision_remove",
    "publish",
    "renumber",
    "respond",
    "review",
    "start_version",
    "version_view",
]
