from datetime import datetime

import pytest

from bot.querylog import QueryEntry
from bot.querylog.entry import iso_utc, new_query_id


def test_ids_are_unique_positive_63_bit_and_time_ordered():
    ids = [new_query_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**63 for i in ids)
    assert ids[0] >> 21 <= ids[-1] >> 21


def test_unknown_source_fails_where_the_entry_is_built():
    with pytest.raises(ValueError, match="source"):
        QueryEntry(question="q", source="web", answered=True)  # type: ignore[arg-type]


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive"):
        iso_utc(datetime(2025, 1, 1))
