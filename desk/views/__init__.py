"""The drafting desk: working versions, the review desk, publishing, the matrix, history.

Views parse the request, call one service or selector, and render. Permissions
come from ``stakeholders.policies``; a refusal is shown on the one refusal page
(``core.web.refusal``) with its reason (``PolicyDenied`` carries it, translated).
"""

from .history import history
from .matrix import matrix, matrix_csv, matrix_xlsx
from .proposals import apply_new_article
from .review import apply, respond
from .triage import bulk, cluster, clusters, comment_desk, review, tags
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
    "apply_new_article",
    "bulk",
    "cluster",
    "clusters",
    "comment_desk",
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
    "tags",
    "version_view",
]
