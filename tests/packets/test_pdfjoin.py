"""The streaming joiner's own rules, on small hand-made inputs."""

from packets import pdfjoin


def _renumber(text: bytes, numbers: dict[int, int]) -> bytes:
    return pdfjoin.Joiner._renumberer(numbers)(text)


def test_references_are_renumbered_but_strings_and_names_are_left_alone():
    text = b"<< /K [ 5 0 R 12 0 R ] /ActualText (see 5 0 R \\) and 12 0 R) /F1 5 0 R /N <3520>>"
    assert _renumber(text, {5: 105, 12: 112}) == (
        b"<< /K [ 105 0 R 112 0 R ] /ActualText (see 5 0 R \\) and 12 0 R) /F1 105 0 R /N <3520>>"
    )


def test_placeholders_become_references_to_the_output_objects():
    text = b"<< /Contents [ /PortalRef4 7 0 R /PortalRef5 ] >>"
    assert _renumber(text, {7: 70}) == b"<< /Contents [ 4 0 R 70 0 R 5 0 R ] >>"


def test_name_trees_are_sorted_and_hold_each_name_once():
    tree = pdfjoin._flat_name_tree([("b", b"2 0 R"), ("a", b"1 0 R"), ("c", b"3 0 R")])
    assert tree == b"<< /Names [ (a) 1 0 R (b) 2 0 R (c) 3 0 R ] >>"
