"""Cohort CSV exports, compared byte for byte: long, wide and codebook, filtered, private text withheld."""

from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reflect.devtools.demo import make_demo
from reflect.domain import access, accounts, checkpoints, cohorts, feedback, responses
from reflect.domain.access import SYSTEM  # full access: these tests are about the figures, not who sees them
from reflect.domain.questions import Item, load_question_sets
from reflect.domain.text import FORMULA_TRIGGERS
from reflect.reporting import export
from reflect.storage.db import open_db, stamp, write_transaction

from .cohort_data import FEB, JAN, MAR, PASSWORD, ROOT, TINY, cohort_with_windows, days, facilitator, rate


@pytest.fixture
def north(db):
    """Ann submits twice in Start (shares the second, notes that need neutralising); Bob once in End.
    An outsider in another cohort submits too and must never appear."""
    cohort = cohort_with_windows(db, facilitator(db))
    ann = accounts.register_leader(db, join_code=cohort.join_code, name="Ann", email="ann@school.org.uk",
                                   password=PASSWORD)
    bob = accounts.register_leader(db, join_code=cohort.join_code, name="Bob", email="bob@school.org.uk",
                                   password=PASSWORD)
    rate(db, ann, [1, 3], JAN + timedelta(days=1), note="=SUM(1)")
    second = rate(db, ann, [2, 3], JAN + timedelta(days=2), note="-because\nI know")
    responses.set_shared(db, ann.id, second.id, True)
    rate(db, bob, [3, 3], FEB + timedelta(days=1), note="Bob's private note")
    other = cohort_with_windows(db, facilitator(db, "olu@trust.org.uk"), "South")
    outsider = accounts.register_leader(db, join_code=other.join_code, name="Out", email="out@school.org.uk",
                                        password=PASSWORD)
    rate(db, outsider, [3, 1], JAN + timedelta(days=1))
    return cohort


FIXED = ("Cohort,Leader id,Leader,Email,Checkpoint,Counts for the checkpoint (1 = yes),Submission id,"
         "Submitted (Europe/London),Question set id,Question set version,")
HEADER = FIXED + "Question id,Question,Rating,Rating looking back,Shared with facilitators (1 = yes),Answer,Note\r\n"
ANN_1 = "North,2,Ann,ann@school.org.uk,Start,0,1,2027-01-02 00:00:00,tiny,1,"
ANN_2 = "North,2,Ann,ann@school.org.uk,Start,1,2,2027-01-03 00:00:00,tiny,1,"
BOB = "North,3,Bob,bob@school.org.uk,End,1,3,2027-02-02 00:00:00,tiny,1,"


def test_long_has_one_row_per_answer_and_free_text_only_where_shared(db, north):
    expected = (
        HEADER
        + ANN_1 + "a,Skill A,1,,0,,\r\n"
        + ANN_1 + "b,Skill B,3,,0,,\r\n"
        + ANN_2 + "a,Skill A,2,,1,,\"'-because\nI know\"\r\n"
        + ANN_2 + "b,Skill B,3,,1,,\"'-because\nI know\"\r\n"
        + BOB + "a,Skill A,3,,0,,\r\n"
        + BOB + "b,Skill B,3,,0,,\r\n"
    )
    assert export.cohort_long_csv(db, SYSTEM, north.id) == expected.encode("utf-8")
    assert export.cohort_long_csv(db, SYSTEM, north.id, bom=True) == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_long_filtered_by_checkpoint(db, north):
    end = next(p for p in checkpoints.of_cohort(db, north.id) if p.name == "End")
    expected = HEADER + BOB + "a,Skill A,3,,0,,\r\n" + BOB + "b,Skill B,3,,0,,\r\n"
    assert export.cohort_long_csv(db, SYSTEM, north.id, checkpoint_id=end.id) == expected.encode("utf-8")


def test_wide_has_one_row_per_leader_per_checkpoint_and_one_column_per_item_id(db, north):
    """Ann's first submission in Start is superseded by her second: only the long file has it."""
    expected = (
        FIXED + "Shared with facilitators (1 = yes),a,a_note,b,b_note\r\n"
        + ANN_2 + "1,2,\"'-because\nI know\",3,\"'-because\nI know\"\r\n"
        + BOB + "0,3,,3,\r\n"
    )
    assert export.cohort_wide_csv(db, SYSTEM, north.id, TINY) == expected.encode("utf-8")


def test_wide_leaves_out_submissions_that_count_for_no_checkpoint_and_follows_the_checkpoint_filter(db, north):
    bob = accounts.get_user(db, 3)
    rate(db, bob, [1, 1], MAR + timedelta(days=1))  # after every window
    wide = export.cohort_wide_csv(db, SYSTEM, north.id, TINY).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(wide, newline="")))
    assert [(row["Leader"], row["Checkpoint"], row["Submission id"]) for row in rows] == [
        ("Ann", "Start", "2"), ("Bob", "End", "3")]
    assert {row["Counts for the checkpoint (1 = yes)"] for row in rows} == {"1"}
    start = next(p for p in checkpoints.of_cohort(db, north.id) if p.name == "Start")
    only_start = export.cohort_wide_csv(db, SYSTEM, north.id, TINY, checkpoint_id=start.id).decode("utf-8")
    assert [row["Submission id"] for row in csv.DictReader(io.StringIO(only_start, newline=""))] == ["2"]
    long = export.cohort_long_csv(db, SYSTEM, north.id).decode("utf-8")
    assert {row["Submission id"] for row in csv.DictReader(io.StringIO(long, newline=""))} == {"1", "2", "3", "5"}


def test_wide_columns_stay_stable_when_wording_changes_and_the_codebook_gives_each_version(db, north):
    import dataclasses

    from reflect.domain.questions import Item

    reworded = dataclasses.replace(TINY, version=2, items=(Item("a", "rating", "Skill A, reworded"),
                                                           Item("b", "rating", "Skill B")))
    assert export.cohort_wide_csv(db, SYSTEM, north.id, reworded).splitlines()[0] == (
        FIXED + "Shared with facilitators (1 = yes),a,a_note,b,b_note").encode()
    codebook = export.codebook_csv(db, SYSTEM, north.id, reworded).decode("utf-8")
    assert "a,Skill A,tiny,Tiny checklist,1,rating,1 = No; 2 = Some; 3 = Yes\r\n" in codebook
    assert "a,\"Skill A, reworded\",tiny,Tiny checklist,2,rating,1 = No; 2 = Some; 3 = Yes\r\n" in codebook


def test_codebook_bytes(db, north):
    fixed = [
        ("Cohort", "Cohort name"),
        ("Leader id", "Reflect's id for the leader (stable)"),
        ("Leader", "Leader's name"),
        ("Email", "Leader's email"),
        ("Checkpoint", "Checkpoint whose window holds the submission time"),
        ("Counts for the checkpoint (1 = yes)",
         '"1: the leader\'s latest submission in that checkpoint, the one cohort charts use (the file for Excel has '
         'only these; the file for analysis also has earlier ones, marked 0)"'),  # quoted: it holds commas
        ("Submission id", "Reflect's id for the submission"),
        ("Submitted (Europe/London)", '"When it was submitted, in the cohort\'s time zone (named in the header)"'),
        ("Question set id", "Question set id"),
        ("Question set version", "Question set version the answers were given under"),
        ("Shared with facilitators (1 = yes)", "1 if the leader shared this submission's free text with facilitators"),
    ]
    expected = "Column,Meaning,Question set id,Question set,Question set version,Kind,Scale labels\r\n"
    expected += "".join(f"{column},{meaning},,,,,\r\n" for column, meaning in fixed)
    expected += (
        "a,Skill A,tiny,Tiny checklist,1,rating,1 = No; 2 = Some; 3 = Yes\r\n"
        "a_note,How do you know? (note on: Skill A),tiny,Tiny checklist,1,text,\r\n"
        "b,Skill B,tiny,Tiny checklist,1,rating,1 = No; 2 = Some; 3 = Yes\r\n"
        "b_note,How do you know? (note on: Skill B),tiny,Tiny checklist,1,text,\r\n"
    )
    assert export.codebook_csv(db, SYSTEM, north.id, TINY) == expected.encode("utf-8")


def test_private_notes_and_other_cohorts_never_appear(db, north):
    everything = b"".join([export.cohort_long_csv(db, SYSTEM, north.id),
                             export.cohort_wide_csv(db, SYSTEM, north.id, TINY)])
    assert b"SUM" not in everything and b"Bob's private note" not in everything
    assert b"Out" not in everything and b"out@school" not in everything


def test_command_line_export_matches_the_library(db, north, tmp_path):
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    result = subprocess.run([sys.executable, "-m", "reflect", "export", "--db", str(path), "--cohort", "North",
                             "--format", "long"], cwd=ROOT, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == export.cohort_long_csv(db, SYSTEM, north.id)
    logged = db.execute("SELECT actor_id, detail FROM audit_log WHERE action = 'exported'").fetchall()
    assert logged == [(None, f"long CSV from the command line (all checkpoints), {len(result.stdout):,} bytes")]
    conversation = subprocess.run([sys.executable, "-m", "reflect", "export", "--db", str(path), "--cohort", "North",
                                   "--format", "feedback"], cwd=ROOT, capture_output=True, timeout=60)
    assert conversation.stdout == export.feedback_csv(db, SYSTEM, north.id)
    missing = subprocess.run([sys.executable, "-m", "reflect", "export", "--db", str(path), "--cohort", "Nowhere"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no cohort is named 'Nowhere'" in missing.stderr and "'North'" in missing.stderr


def test_names_and_wording_that_excel_would_run_are_neutralised_in_every_cohort_file(db):
    owner = facilitator(db)
    cohort = cohort_with_windows(db, owner, "@Trust")
    start = checkpoints.of_cohort(db, cohort.id)[0]
    checkpoints.replace_all(db, owner, cohort.id, [(start.id, "-Start", *days(JAN, FEB))])
    leader = accounts.register_leader(db, join_code=cohort.join_code, name="=HYPERLINK(1)",
                                      email="eve@school.org.uk", password=PASSWORD)
    risky = dataclasses.replace(TINY, items=(Item("a", "rating", "+Skill A"), TINY.items[1]))
    shared = rate(db, leader, [1, 2], JAN + timedelta(days=1), qset=risky, note="@note")
    responses.set_shared(db, leader.id, shared.id, True)
    long = export.cohort_long_csv(db, SYSTEM, cohort.id).decode("utf-8")
    wide = export.cohort_wide_csv(db, SYSTEM, cohort.id, risky).decode("utf-8")
    assert long.splitlines()[1].startswith("'@Trust,2,'=HYPERLINK(1),eve@school.org.uk,'-Start,1,1,")
    assert ",a,'+Skill A,1,,1,,'@note" in long
    for text in (long, wide):
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]


def test_a_line_break_in_a_checkpoint_name_stays_inside_its_cell(db, north):
    start, end = checkpoints.of_cohort(db, north.id)
    checkpoints.replace_all(db, SYSTEM, north.id, [(start.id, "Start\nweek 1", *days(JAN, FEB)),
                                           (end.id, "End", *days(FEB, MAR))])
    rows = list(csv.reader(io.StringIO(export.cohort_long_csv(db, SYSTEM, north.id).decode("utf-8"), newline="")))
    assert {len(row) for row in rows} == {len(export.LONG_COLUMNS)}
    assert [row[4] for row in rows[1:]] == ["Start\nweek 1"] * 4 + ["End"] * 2


def test_a_submission_in_two_overlapping_checkpoints_is_exported_in_both(db, north):
    """Overlaps are refused now, but a database saved by an earlier version may hold them."""
    db.execute("INSERT INTO checkpoints (cohort_id, name, opens_at, closes_at) VALUES (?, 'Whole term', ?, ?)",
               [north.id, stamp(JAN), stamp(MAR)])
    db.conn.commit()
    long = export.cohort_long_csv(db, SYSTEM, north.id).decode("utf-8")
    bob = [row for row in csv.reader(io.StringIO(long, newline="")) if row[2] == "Bob"]
    assert sorted(row[4] for row in bob) == ["End", "End", "Whole term", "Whole term"]


# Streamed: the same bytes, in chunks, the access gate first.

CHECKLIST = load_question_sets(ROOT / "questions")[0]["munby-fullan-skills"]


def test_the_streamed_long_file_is_the_same_bytes_in_chunks_with_and_without_bom_one_checkpoint_and_all(
        db, north, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)  # a chunk per submission: the BOM and the header go in the first
    every = (HEADER + ANN_1 + "a,Skill A,1,,0,,\r\n" + ANN_1 + "b,Skill B,3,,0,,\r\n"
             + ANN_2 + "a,Skill A,2,,1,,\"'-because\nI know\"\r\n" + ANN_2 + "b,Skill B,3,,1,,\"'-because\nI know\"\r\n"
             + BOB + "a,Skill A,3,,0,,\r\n" + BOB + "b,Skill B,3,,0,,\r\n").encode("utf-8")
    end = next(p for p in checkpoints.of_cohort(db, north.id) if p.name == "End")
    only_end = (HEADER + BOB + "a,Skill A,3,,0,,\r\n" + BOB + "b,Skill B,3,,0,,\r\n").encode("utf-8")
    for checkpoint_id, expected, count in ((None, every, 3), (end.id, only_end, 1)):
        for bom in (False, True):
            chunks = list(export.cohort_long_chunks(db, SYSTEM, north.id, checkpoint_id=checkpoint_id, bom=bom))
            assert b"".join(chunks) == (b"\xef\xbb\xbf" if bom else b"") + expected
            assert len(chunks) == count
            assert chunks[0].startswith((b"\xef\xbb\xbf" if bom else b"") + HEADER.encode()) and all(chunks)


def test_a_big_cohort_comes_in_chunks_of_about_a_set_number_of_rows(db, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 1_000)
    made = make_demo(db, {CHECKLIST.id: CHECKLIST}, leaders=120, seed=7)
    answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    assert answers > 3 * export.CHUNK_ROWS
    chunks = list(export.cohort_long_chunks(db, SYSTEM, made.cohort.id))
    rows = [len(list(csv.reader(io.StringIO(chunk.decode("utf-8"), newline="")))) for chunk in chunks]
    rows[0] -= 1  # the header
    assert sum(rows) == answers and len(chunks) == len(rows) > 3
    # Each chunk but the last: CHUNK_ROWS rows, and the rest of the submission it had reached (at most ten answers).
    assert all(export.CHUNK_ROWS <= count < export.CHUNK_ROWS + 10 for count in rows[:-1])
    wide = list(export.cohort_wide_chunks(db, SYSTEM, made.cohort.id, CHECKLIST, bom=True))
    assert len(wide) == 1 and wide[0].startswith(b"\xef\xbb\xbfCohort,")  # a few hundred rows: one chunk
    monkeypatch.setattr(export, "CHUNK_ROWS", 50)
    wide = list(export.cohort_wide_chunks(db, SYSTEM, made.cohort.id, CHECKLIST))
    rows = [len(list(csv.reader(io.StringIO(chunk.decode("utf-8"), newline="")))) for chunk in wide]
    rows[0] -= 1  # the header
    assert len(wide) > 3 and all(count == 50 for count in rows[:-1]) and 0 < rows[-1] <= 50


def test_answers_read_a_few_submissions_at_a_time_make_the_same_files(db, monkeypatch):
    made = make_demo(db, {CHECKLIST.id: CHECKLIST}, leaders=60, seed=3)
    long_file = export.cohort_long_csv(db, SYSTEM, made.cohort.id)
    wide_file = export.cohort_wide_csv(db, SYSTEM, made.cohort.id, CHECKLIST)
    monkeypatch.setattr(export, "ANSWER_BATCH", 7)
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] > 10 * export.ANSWER_BATCH  # 10+ batches
    assert export.cohort_long_csv(db, SYSTEM, made.cohort.id) == long_file
    assert export.cohort_wide_csv(db, SYSTEM, made.cohort.id, CHECKLIST) == wide_file
    rows = list(csv.DictReader(io.StringIO(long_file.decode("utf-8"), newline="")))
    assert len(rows) == db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    leaders = [int(row["Leader id"]) for row in rows]
    assert leaders == sorted(leaders)  # leader by leader


def test_the_access_gate_refuses_another_cohorts_facilitator_before_any_byte_and_logs_nothing(db, north):
    olu = accounts.get_user(db, 4)  # South's facilitator (see north)
    assert olu is not None and olu.email == "olu@trust.org.uk"
    for start in (lambda: export.cohort_long_chunks(db, olu, north.id),
                  lambda: export.cohort_wide_chunks(db, olu, north.id, TINY),
                  lambda: export.codebook_chunks(db, olu, north.id, TINY),
                  lambda: export.logged_stream(db, olu, north.id, "long CSV (all checkpoints)",
                                               export.cohort_long_chunks)):
        with pytest.raises(access.NotYourCohort):
            start()  # refused on the call itself, before a chunk is asked for
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'exported'").fetchone()[0] == 0


def test_a_streamed_export_is_logged_before_its_first_byte(db, north):
    owner = accounts.get_user(db, 1)
    chunks = export.logged_stream(db, owner, north.id, "long CSV (all checkpoints)", export.cohort_long_chunks)
    logged = db.execute("SELECT actor_id, cohort_id, detail FROM audit_log WHERE action = 'exported'").fetchall()
    assert logged == [(owner.id, north.id, "long CSV (all checkpoints)")]
    chunks.close()  # a download cut short: it stays logged


def test_the_feedback_file_holds_each_message_on_a_submission_shared_now_and_nothing_once_unshared(db, north):
    fran = accounts.get_user(db, 1)
    shared = db.execute("SELECT submission_id FROM shared_submissions").fetchone()[0]
    feedback.write(db, fran, north.id, shared, "=Say more", now=JAN + timedelta(days=4))
    feedback.reply(db, 2, shared, "About governors,\nmostly.", now=JAN + timedelta(days=5))
    expected = (
        "Cohort,Leader id,Leader,Email,Checkpoint,Submission id,Submitted (Europe/London),Question set id,From,"
        "Written by,Written (Europe/London),Message\r\n"
        "North,2,Ann,ann@school.org.uk,Start,2,2027-01-03 00:00:00,tiny,facilitator,Fran,"
        "2027-01-05 00:00:00,'=Say more\r\n"
        "North,2,Ann,ann@school.org.uk,Start,2,2027-01-03 00:00:00,tiny,leader,Ann,"
        "2027-01-06 00:00:00,\"About governors,\nmostly.\"\r\n"
    )
    assert export.feedback_csv(db, SYSTEM, north.id) == expected.encode("utf-8")
    header_only = expected.split("\r\n")[0].encode() + b"\r\n"
    end = next(p for p in checkpoints.of_cohort(db, north.id) if p.name == "End")
    assert export.feedback_csv(db, SYSTEM, north.id, checkpoint_id=end.id) == header_only
    responses.set_shared(db, 2, shared, False)
    assert export.feedback_csv(db, SYSTEM, north.id) == header_only


def test_ratings_can_be_labels_and_times_are_the_cohorts_local_time_named_in_the_header(db):
    cohort = cohorts.create_cohort(db, facilitator(db).id, "Summer", time_zone="America/New_York")
    ann = accounts.register_leader(db, join_code=cohort.join_code, name="Ann", email="ann@school.org.uk",
                                   password=PASSWORD)
    # The second checkpoint's first day: after Ann joined at any time of day (its first day's 15:30 may be past).
    later = checkpoints.of_cohort(db, cohort.id)[1]
    made = rate(db, ann, [1, 3], datetime.fromisoformat(later.opens_at) + timedelta(hours=15, minutes=30))
    assert made.submitted_at.endswith(("20:30:00.000000+00:00", "19:30:00.000000+00:00"))  # EST or EDT, in UTC
    wide = list(csv.DictReader(io.StringIO(export.cohort_wide_csv(db, SYSTEM, cohort.id, TINY, labels=True).decode(),
                                           newline="")))
    assert [(row["Submitted (America/New_York)"], row["a"], row["b"]) for row in wide] == [
        (f"{later.first_day} 15:30:00", "No", "Yes")]  # the time in New York, not in UTC
    long = export.cohort_long_csv(db, SYSTEM, cohort.id, scales={TINY.id: TINY.scale}).decode()
    assert [row["Rating"] for row in csv.DictReader(io.StringIO(long, newline=""))] == ["No", "Yes"]
    numbers = export.cohort_long_csv(db, SYSTEM, cohort.id).decode()
    assert [row["Rating"] for row in csv.DictReader(io.StringIO(numbers, newline=""))] == ["1", "3"]
    assert str(made.id) in numbers


def test_ratings_looking_back_have_their_own_columns_in_every_file_and_their_meaning_in_the_codebook(db, north):
    fran, end = accounts.get_user(db, 1), checkpoints.of_cohort(db, north.id)[1]
    checkpoints.ask_then_at(db, fran, north.id, end.id)
    cy = accounts.register_leader(db, join_code=north.join_code, name="Cy", email="cy@school.org.uk",
                                  password=PASSWORD)
    for item, (now, then) in zip(TINY.items, [(3, 1), (2, 2)], strict=True):
        responses.save_draft(db, cy.id, TINY, item.id, rating=now, then_rating=then, now=FEB + timedelta(days=2))
    responses.submit(db, cy.id, TINY, "cy", now=FEB + timedelta(days=2))

    long = list(csv.DictReader(io.StringIO(export.cohort_long_csv(db, SYSTEM, north.id).decode(), newline="")))
    assert [(row["Rating"], row["Rating looking back"]) for row in long if row["Leader"] == "Cy"] == [
        ("3", "1"), ("2", "2")]
    assert {row["Rating looking back"] for row in long if row["Leader"] != "Cy"} == {""}  # not asked of them
    wide = list(csv.DictReader(io.StringIO(export.cohort_wide_csv(db, SYSTEM, north.id, TINY, labels=True).decode(),
                                           newline="")))
    assert [(row["a"], row["a_then"], row["b"], row["b_then"]) for row in wide if row["Leader"] == "Cy"] == [
        ("Yes", "No", "Some", "Some")]
    codebook = export.codebook_csv(db, SYSTEM, north.id, TINY).decode()
    assert ("a_then,\"Looking back, at the start of the module: Skill A\",tiny,Tiny checklist,1,rating looking back,"
            "1 = No; 2 = Some; 3 = Yes\r\n") in codebook


# Each submission's rows are made as it is submitted (reflect.domain.answer_rows); what can change is filled in later.

def test_each_rating_becomes_its_own_label_and_one_off_the_scale_stays_a_number(db, north):
    ten = dataclasses.replace(TINY, id="ten", scale=tuple(f"Level {point}" for point in range(1, 11)))
    rate(db, accounts.get_user(db, 2), [10, 1], JAN + timedelta(days=3), qset=ten)

    def ratings(scale):
        long = export.cohort_long_csv(db, SYSTEM, north.id, scales={ten.id: scale}).decode("utf-8")
        return [row["Rating"] for row in csv.DictReader(io.StringIO(long, newline=""))
                if row["Question set id"] == ten.id]

    assert ratings(ten.scale) == ["Level 10", "Level 1"]
    # The scale since cut to three points: 10 has no label; a label is a cell like any other, quoted and made safe.
    assert ratings(("-Low, or none", "Mid", "High")) == ["10", "'-Low, or none"]


def test_a_control_character_in_a_questions_wording_cannot_start_a_row_or_show_unshared_text(db, north):
    odd = dataclasses.replace(TINY, id="odd", items=(Item("a", "rating", "Skill\x1e A\x02"), TINY.items[1]))
    rate(db, accounts.get_user(db, 3), [2, 3], FEB + timedelta(days=2), qset=odd, note="Bob's unshared note")
    long = export.cohort_long_csv(db, SYSTEM, north.id).decode("utf-8")
    rows = [row for row in csv.DictReader(io.StringIO(long, newline="")) if row["Question set id"] == odd.id]
    assert [(row["Leader"], row["Question"], row["Rating"], row["Note"]) for row in rows] == [
        ("Bob", "Skill A", "2", ""), ("Bob", "Skill B", "3", "")]


def test_submissions_from_before_their_rows_were_kept_export_the_same_once_the_database_is_migrated(tmp_path):
    """Migration 0013 makes the rows each submission made before it would have had, the same bytes in every file."""
    db = open_db(tmp_path / "reflect.db")
    sets = load_question_sets(ROOT / "questions")[0]
    made = make_demo(db, sets, leaders=40, seed=11)
    cy = accounts.register_leader(db, join_code=made.cohort.join_code, name="Cy", email="cy@school.org.uk",
                                  password=PASSWORD)
    reflection = next(qset for qset in sets.values() if not qset.is_rating)
    responses.save_draft(db, cy.id, reflection, reflection.items[0].id, text='=1, "quoted"\nand on a new line')
    responses.submit(db, cy.id, reflection, "cy", share=True)
    scales = {qset.id: qset.scale for qset in sets.values()}
    first = checkpoints.of_cohort(db, made.cohort.id)[0]

    def files():
        return [export.cohort_long_csv(db, SYSTEM, made.cohort.id, **variant)
                for variant in ({}, {"scales": scales}, {"bom": True}, {"checkpoint_id": first.id})] + [
            export.cohort_wide_csv(db, SYSTEM, made.cohort.id, qset, labels=labels)
            for qset in sets.values() for labels in (False, True)]

    made_as_submitted = files()
    kept_as_submitted = db.execute("SELECT * FROM answer_rows ORDER BY submission_id").fetchall()
    assert b'\'=1, ""quoted""\nand on a new line"' in made_as_submitted[0]
    with write_transaction(db):  # the database as it was before migration 0013
        db.execute("DROP TABLE answer_rows")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0013_answer_rows'")
    db.close()
    db = open_db(tmp_path / "reflect.db")
    assert db.execute("SELECT * FROM answer_rows ORDER BY submission_id").fetchall() == kept_as_submitted
    assert files() == made_as_submitted
    db.close()


@pytest.mark.parametrize("zone", ["Europe/London", "America/St_Johns", "Asia/Kolkata"])
def test_times_are_local_to_the_second_as_clocks_change_and_in_zones_off_the_hour(db, zone):
    cohort = cohorts.create_cohort(db, facilitator(db).id, "Clocks", time_zone=zone)
    ann = accounts.register_leader(db, join_code=cohort.join_code, name="Ann", email="ann@school.org.uk",
                                   password=PASSWORD)
    moments = [datetime(2027, 3, 14, 5, 15, 7, tzinfo=UTC),  # St John's: clocks go forward at 05:30 UTC
               datetime(2027, 3, 14, 5, 45, 59, tzinfo=UTC),
               datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC),  # London: forward at 01:00 UTC
               datetime(2027, 3, 28, 1, 0, 0, tzinfo=UTC),
               datetime(2027, 10, 31, 0, 30, 1, tzinfo=UTC),  # London: back at 01:00 UTC
               datetime(2027, 10, 31, 1, 30, 1, tzinfo=UTC)]
    for moment in moments:  # a checkpoint may ask for ratings looking back too
        for item in TINY.items:
            responses.save_draft(db, ann.id, TINY, item.id, rating=2, then_rating=1, now=moment)
        responses.submit(db, ann.id, TINY, moment.isoformat(), now=moment)
    long = export.cohort_long_csv(db, SYSTEM, cohort.id).decode("utf-8")
    shown = [row[f"Submitted ({zone})"] for row in csv.DictReader(io.StringIO(long, newline=""))]
    assert shown[::2] == [moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S") for moment in moments]


def test_every_file_is_the_same_whether_a_submissions_rows_were_kept_or_are_made_as_it_is_exported(db, north):
    """A submission recorded by a version of Reflect from before the rows were kept (after going back to it) has
    none: its rows are made as the file is written. And the wide file's cells kept for a checklist are what its
    answers make one by one, with ratings looking back, notes shared and not, and labels."""
    fran, end = accounts.get_user(db, 1), checkpoints.of_cohort(db, north.id)[1]
    checkpoints.ask_then_at(db, fran, north.id, end.id)
    cy = accounts.register_leader(db, join_code=north.join_code, name="Cy", email="cy@school.org.uk",
                                  password=PASSWORD)
    for item, (now, then) in zip(TINY.items, [(3, 1), (2, 2)], strict=True):
        responses.save_draft(db, cy.id, TINY, item.id, rating=now, then_rating=then, note='=a, "b"\nc',
                             now=FEB + timedelta(days=2))
    responses.submit(db, cy.id, TINY, "cy", now=FEB + timedelta(days=2), share=True)

    def files():
        return [export.cohort_long_csv(db, SYSTEM, north.id, scales={TINY.id: TINY.scale}),
                export.cohort_long_csv(db, SYSTEM, north.id),
                *(export.cohort_wide_csv(db, SYSTEM, north.id, TINY, labels=labels, checkpoint_id=checkpoint)
                  for labels in (False, True) for checkpoint in (None, end.id))]

    kept = files()
    assert b"Cy" in kept[2] and b'"\'=a, ""b""\nc"' in kept[2]  # Cy's shared note, in the wide file
    with write_transaction(db):
        db.execute("UPDATE answer_rows SET wide = NULL")
    assert files() == kept
    with write_transaction(db):
        db.execute("DELETE FROM answer_rows")
    assert files() == kept


def test_a_control_character_in_a_scales_label_cannot_start_a_row(db, north):
    long = export.cohort_long_csv(db, SYSTEM, north.id, scales={TINY.id: ("No\x1e", "So\x11me", "Yes")})
    rows = list(csv.DictReader(io.StringIO(long.decode("utf-8"), newline="")))
    assert [(row["Leader"], row["Rating"]) for row in rows] == [
        ("Ann", "No"), ("Ann", "Yes"), ("Ann", "Some"), ("Ann", "Yes"), ("Bob", "Yes"), ("Bob", "Yes")]
