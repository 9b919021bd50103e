"""Domain separation holds only if every tag is distinct and none is a prefix of another."""

from __future__ import annotations

import itertools

from inspector_protocol import tags


def test_every_tag_is_listed_once_with_a_distinct_value() -> None:
    declared = [v for v in vars(tags).values() if isinstance(v, tags.Tag)]
    assert sorted(t.name for t in declared) == sorted(t.name for t in tags.ALL)
    assert len({t.value for t in tags.ALL}) == len(tags.ALL)


def test_no_tag_is_a_prefix_of_another() -> None:
    for a, b in itertools.permutations(tags.ALL, 2):
        assert not b.value.startswith(a.value), (a.name, b.name)


def test_every_tag_ends_with_a_separator_that_cannot_occur_in_its_name() -> None:
    # A NUL or newline terminator makes "tag + message" unambiguous for any message.
    for tag in tags.ALL:
        assert tag.value[-1:] in (b"\x00", b"\n")
        assert b"\x00" not in tag.value[:-1] and b"\n" not in tag.value[:-1]


def test_the_signed_bytes_are_the_tag_then_the_message() -> None:
    assert tags.EVENT(b"{}") == b"inspector/event/v1\x00{}"
