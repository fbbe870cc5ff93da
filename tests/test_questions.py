"""Question sets: the shipped ones load as the course texts word them; each kind of broken file is named."""

from __future__ import annotations

import pytest

from reflect.domain.questions import QuestionSetError, load_question_set, load_question_sets

from .cohort_data import ROOT

GOOD = '''id = "good"
title = "Good"
version = 1
source = "A source."
intro = "An intro."
'''
ITEM = '[[items]]\nid = "a"\nkind = "text"\ntext = "A question?"\n'


def test_the_shipped_sets_load_with_their_items():
    sets, errors = load_question_sets(ROOT / "questions")
    assert errors == []
    assert list(sets) == ["thinkpiece-activity", "personal-reflection", "munby-fullan-skills"]
    activity, personal, checklist = sets.values()
    assert [item.kind for item in activity.items] == ["text"] * 7 and all(item.behaviour for item in activity.items)
    assert len({item.text for item in activity.items}) == 7, "the repeated eighth bullet must not appear twice"
    assert activity.items[0].behaviour == "having a clear vision to improve outcomes for children and families"
    assert len(personal.items) == 5 and personal.intro.startswith(
        "As you begin this module, record your current thinking about working in partnership.")
    assert personal.items[3].text == ("What would you consider to be the strengths you bring to this work? "
                                      "How do you know?")
    assert len(checklist.items) == 10 and checklist.is_rating and len(checklist.scale) == 5
    assert checklist.note_prompt == "How do you know?"
    assert checklist.items[0].text == "skilled at giving robust and honest feedback with candour and empathy"
    assert checklist.items[-1].text == "demonstrates ambition for the system while modelling humility for self."
    assert checklist.source.startswith("Munby, S. and Fullan, M. (2016)")
    assert [item.number for item in checklist.items] == list(range(1, 11))


@pytest.mark.parametrize(
    ("content", "field", "why"),
    [
        ("id = \n", "(file)", "not valid TOML"),
        (GOOD.replace('id = "good"\n', "") + ITEM, "id", "is missing"),
        (GOOD.replace('"good"', '"Good Set!"') + ITEM, "id", "lower-case letters"),
        (GOOD.replace('title = "Good"\n', "") + ITEM, "title", "is missing"),
        (GOOD.replace("version = 1", "version = 0") + ITEM, "version", "1 or more"),
        (GOOD.replace("version = 1", 'version = "1"') + ITEM, "version", "whole number"),
        (GOOD, "items", "at least one [[items]]"),
        (GOOD + "items = [1]\n", "items[1]", "must be a table"),
        (GOOD + '[[items]]\nid = "a"\nkind = "text"\n', "items[1].text", "is missing"),
        (GOOD + ITEM + ITEM, "items[2].id", "used by an earlier item"),
        (GOOD + ITEM.replace('"text"\ntext', '"essay"\ntext'), "items[1].kind", "not 'essay'"),
        (GOOD.replace("title", "titel") + ITEM, "titel", "not a known field"),
        (GOOD + ITEM.replace('kind = "text"', 'kind = "rating"'), "scale", "need a scale"),
        (GOOD + 'scale = ["Only"]\n' + ITEM.replace('kind = "text"', 'kind = "rating"'), "scale", "2 to 10"),
        (GOOD + 'scale = ["No", "Yes"]\n' + ITEM, "scale", "only for sets of rating items"),
        (GOOD + 'scale = ["No", "Yes"]\n' + ITEM + ITEM.replace('"a"', '"b"').replace('"text"\ntext', '"rating"\ntext'),
         "items", "mixes"),
        (GOOD + ITEM.replace('"A question?"', '"A\\u001equestion?"'), "items[1].text", "control character (U+001E)"),
        (GOOD + 'scale = ["No", "Y\\u0011es"]\n' + ITEM.replace('kind = "text"', 'kind = "rating"'), "scale[2]",
         "control character (U+0011)"),
        (GOOD.replace('"An intro."', '"An\\u0007intro."') + ITEM, "intro", "delete it"),
    ],
)
def test_each_kind_of_broken_file_names_file_field_and_problem(tmp_path, content, field, why):
    path = tmp_path / "broken.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionSetError) as raised:
        load_question_set(path)
    assert (raised.value.file, raised.value.field) == ("broken.toml", field)
    assert why in raised.value.why


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    (tmp_path / "latin.toml").write_bytes((GOOD + ITEM).replace("A question?", "Café?").encode("cp1252"))
    _, errors = load_question_sets(tmp_path)
    assert [(e.file, e.field, e.why) for e in errors] == [("latin.toml", "(file)", "is not UTF-8 text")]


def test_one_broken_file_leaves_the_others_working_and_a_new_file_needs_no_code(tmp_path):
    (tmp_path / "1_good.toml").write_text(GOOD + ITEM, encoding="utf-8")
    (tmp_path / "2_broken.toml").write_text("title = ", encoding="utf-8")
    (tmp_path / "3_same_id.toml").write_text(GOOD + ITEM, encoding="utf-8")
    sets, errors = load_question_sets(tmp_path)
    assert list(sets) == ["good"]
    assert [(e.file, e.field) for e in errors] == [("2_broken.toml", "(file)"), ("3_same_id.toml", "id")]
    (tmp_path / "4_new.toml").write_text(GOOD.replace('"good"', '"new-set"') + ITEM, encoding="utf-8")
    assert "new-set" in load_question_sets(tmp_path)[0]
