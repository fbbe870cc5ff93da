"""The key under which a page's views of a frame are kept (reflect.web.show.contents_key): the same for the same
contents, different whenever what a person would see could differ."""

import pandas as pd

from reflect.web.show import contents_key

RATINGS = pd.DataFrame({"item_id": ["feedback", "courage"], "rating": [2, 4],
                        "submitted_at": pd.to_datetime(["2027-01-04T09:00:00Z", "2027-01-04T09:00:00Z"])})


def test_equal_contents_share_a_key():
    assert contents_key(RATINGS) == contents_key(RATINGS.copy(deep=True))


def test_any_difference_in_what_is_shown_makes_a_new_key():
    changed = [
        RATINGS.assign(rating=[2, 5]),  # a value
        RATINGS.rename(columns={"rating": "then_rating"}),  # a column's name
        RATINGS.astype({"rating": "float64"}),  # a type: 2.0 is drawn otherwise than 2
        RATINGS.set_axis([1, 2]),  # the index
        RATINGS.iloc[::-1],  # the order of the rows
        RATINGS.iloc[:1],  # a row fewer
        RATINGS.assign(submitted_at=RATINGS["submitted_at"] + pd.Timedelta(seconds=1)),  # a time
    ]
    keys = [contents_key(frame) for frame in changed]
    assert contents_key(RATINGS) not in keys
    assert len(set(keys)) == len(keys)
