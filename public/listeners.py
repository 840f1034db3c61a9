"""When the public record changes, the open data is written again (after commit, by a task).

A version published or closed changes the versions and provisions; a comment
hidden must leave the files; a disposition recorded changes the answers.
"""

from core.events import listen

from .tasks import open_data_build_for_comment, open_data_build_for_version


@listen("version.published")
@listen("version.closed")
def refresh_open_data_for_version(version_id: int, **_payload) -> None:
    open_data_build_for_version.delay(version_id)


@listen("comment.hidden")
@listen("disposition.recorded")
def refresh_open_data_for_comment(comment_id: int, **_payload) -> None:
    open_data_build_for_comment.delay(comment_id)
