"""scripts/hub.py without a running hub: the roster, the users' folders, collecting a lesson.

The hub itself, with Chromium, is tested in tests/hub/.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import nbformat
import pytest

import hub  # scripts/

STAMP = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)


def settings(state: Path) -> hub.Settings:
    return hub.Settings(
        state=state,
        port=8000,
        hub_port=8001,
        proxy_api_port=8002,
        password="pw",
        students=("ann", "ben", "cal"),
        instructor="teacher",
    )


def write_roster(state: Path) -> None:
    state.mkdir(parents=True, exist_ok=True)
    record = {"students": ["ann", "ben", "cal"], "instructor": "teacher"}
    (state / "roster.json").write_text(json.dumps(record), encoding="utf-8")


@pytest.mark.parametrize("name", ["ann", "a", "student-1", "x_2", "a" * 32])
def test_a_name_of_letters_digits_and_dashes_is_a_user(name):
    assert hub.check_name(name) == name


@pytest.mark.parametrize("name", ["", "Ann", "1ann", "a" * 33, "../ben", "ann bo", "é", "ann/", 3])
def test_another_name_is_refused_with_the_rule(name):
    with pytest.raises(hub.HubError, match="1 to 32 lowercase letters"):
        hub.check_name(name)


def test_the_roster_refuses_a_name_twice_an_empty_class_and_an_instructor_student():
    assert hub.roster(["ann", "ben"], "teacher") == (("ann", "ben"), "teacher")
    with pytest.raises(hub.HubError, match="names ann more than once"):
        hub.roster(["ann", "ben", "ann"], "teacher")
    with pytest.raises(hub.HubError, match="no student"):
        hub.roster([], "teacher")
    with pytest.raises(hub.HubError, match="also on the roster"):
        hub.roster(["ann", "teacher"], "teacher")


def test_a_roster_file_skips_blank_lines_and_comments(tmp_path):
    path = tmp_path / "class.txt"
    path.write_text("# class of 2027\nann\n\n ben  # late\n", encoding="utf-8")
    assert hub.read_roster(path) == ["ann", "ben"]
    with pytest.raises(hub.HubError, match="cannot read the roster"):
        hub.read_roster(tmp_path / "missing.txt")


def test_the_settings_go_through_the_environment_unchanged(tmp_path):
    before = settings(tmp_path)
    assert hub.Settings.from_environment(before.to_environment()) == before
    with pytest.raises(hub.HubError, match="COURSE_HUB_STATE.*make hub"):
        hub.Settings.from_environment({})


def test_a_kernels_socket_is_as_long_as_jupyter_client_makes_it(tmp_path):
    from jupyter_client import KernelManager

    kernel = "0b0c6f3e-3a7e-4a7c-9a43-5d1c9d3f2e11"  # a kernel id: 36 characters
    manager = KernelManager(
        transport="ipc", connection_file=str(tmp_path / f"kernel-{kernel}.json")
    )
    socket_path = f"{manager.ip}-5"  # the fifth of its sockets
    assert len(socket_path) == len(str(tmp_path)) + hub.KERNEL_SOCKET_NAME


def test_a_unix_socket_path_holds_socket_path_max_bytes(tmp_path):
    import socket

    deep = tmp_path
    assert len(str(deep)) < 90, "the temporary folder lies too deep for this test"
    for length, fits in ((hub.SOCKET_PATH_MAX, True), (hub.SOCKET_PATH_MAX + 1, False)):
        path = str(deep / ("s" * (length - len(str(deep)) - 1)))
        assert len(path) == length
        with socket.socket(socket.AF_UNIX) as unix:
            if fits:
                unix.bind(path)
            else:
                with pytest.raises(OSError):
                    unix.bind(path)


def test_kernels_use_ipc_unless_the_hubs_folder_lies_too_deep(tmp_path):
    short = settings(Path("/h"))
    assert hub.runtime_dir(short, "ann") == Path("/h/run/ann")
    assert hub.kernels_over_ipc(short)
    # "teacher" is the longest name: /STATE/run/teacher + the socket's name, to the byte.
    room = hub.SOCKET_PATH_MAX - hub.KERNEL_SOCKET_NAME - len("/run/teacher")
    assert hub.kernels_over_ipc(settings(Path("/" + "x" * (room - 1))))
    assert not hub.kernels_over_ipc(settings(Path("/" + "x" * room)))
    with pytest.raises(hub.HubError, match="not allowed"):
        hub.runtime_dir(short, "../ben")


@pytest.mark.parametrize("given", ["01", "01_convolution_math", "01_convolution_math.ipynb"])
def test_a_lesson_is_named_by_its_number_or_its_file(given):
    assert hub.lesson_name(given) == "01_convolution_math"


@pytest.mark.parametrize("given", ["99", "convolution", "0"])
def test_an_unknown_lesson_names_the_lessons(given):
    with pytest.raises(hub.HubError, match="the lessons are 00_start_here, 01_convolution_math"):
        hub.lesson_name(given)


def test_a_students_folder_gets_the_links_and_copies_without_answers(tmp_path):
    folder = hub.prepare_user(settings(tmp_path), "ann")
    assert folder == tmp_path / "users" / "ann"
    for shared in hub.SHARED:
        assert (folder / shared).resolve() == (hub.ROOT / shared).resolve()
    copy = nbformat.read(folder / "my-work" / "01_convolution_math.ipynb", as_version=4)
    tags = [tag for cell in copy.cells for tag in cell.metadata.get("tags", [])]
    assert "exercise" in tags and "solution" not in tags
    assert not (folder / "my-work" / hub.GRADE_NOTEBOOK).exists()


def test_the_instructor_gets_the_lessons_and_the_grading_notebook_once(tmp_path):
    folder = hub.prepare_user(settings(tmp_path), "teacher", instructor=True)
    work = folder / "my-work"
    lesson = nbformat.read(work / "01_convolution_math.ipynb", as_version=4)
    assert any("solution" in cell.metadata.get("tags", []) for cell in lesson.cells)
    grading = nbformat.read(work / hub.GRADE_NOTEBOOK, as_version=4)
    nbformat.validate(grading)
    code = grading.cells[1].source
    assert '"grade", LESSON, "--state", STATE' in code and repr(str(tmp_path)) in code
    (work / hub.GRADE_NOTEBOOK).write_text("the instructor's own edits", encoding="utf-8")
    hub.prepare_user(settings(tmp_path), "teacher", instructor=True)
    assert (work / hub.GRADE_NOTEBOOK).read_text(encoding="utf-8") == "the instructor's own edits"


def test_preparing_again_keeps_what_the_student_changed(tmp_path):
    folder = hub.prepare_user(settings(tmp_path), "ann")
    copy = folder / "my-work" / "01_convolution_math.ipynb"
    copy.write_text(copy.read_text(encoding="utf-8").replace("Exercise", "My exercise"), "utf-8")
    edited = copy.read_bytes()
    hub.prepare_user(settings(tmp_path), "ann")
    assert copy.read_bytes() == edited


def test_collect_copies_plain_files_only_into_a_new_folder(tmp_path, capsys):
    state = tmp_path / "state"
    write_roster(state)
    for name in ("ann", "ben", "cal"):
        (state / "users" / name / "my-work").mkdir(parents=True)
    (state / "users" / "ann" / "my-work" / "01_convolution_math.ipynb").write_text("ann's", "utf-8")
    secret = tmp_path / "secret.ipynb"
    secret.write_text("not ben's", encoding="utf-8")
    os.symlink(secret, state / "users" / "ben" / "my-work" / "01_convolution_math.ipynb")
    target = hub.collect(state, "01", now=STAMP)
    assert target == state / "submissions" / "01_convolution_math" / "20261207-093000"
    assert sorted(path.name for path in target.iterdir()) == ["ann"]
    assert (target / "ann" / "01_convolution_math.ipynb").read_text("utf-8") == "ann's"
    said = capsys.readouterr().out
    link = "the handed-over 01_convolution_math.ipynb is a link"
    assert f"ben: 01_convolution_math.ipynb left out: {link}" in said
    assert "cal: no 01_convolution_math.ipynb in my-work/" in said
    assert "collected 1 of 3 students" in said
    with pytest.raises(FileExistsError):
        hub.collect(state, "01", now=STAMP)  # never into a folder that is there already


def test_collect_refuses_a_working_copy_that_is_a_link(tmp_path, capsys):
    state = tmp_path / "state"
    write_roster(state)
    (state / "users" / "ann" / "my-work").mkdir(parents=True)
    (state / "users" / "ann" / "my-work" / "01_convolution_math.ipynb").write_text("ann's", "utf-8")
    (state / "users" / "ben").mkdir(parents=True)
    os.symlink(state / "users" / "ann" / "my-work", state / "users" / "ben" / "my-work")
    target = hub.collect(state, "01_convolution_math", now=STAMP)
    assert sorted(path.name for path in target.iterdir()) == ["ann"]
    assert "ben: no working copy" in capsys.readouterr().out


def test_collect_without_a_roster_says_to_start_the_hub(tmp_path):
    with pytest.raises(hub.HubError, match="roster.json is missing or unreadable"):
        hub.collect(tmp_path, "01")


def test_the_command_line_says_what_is_wrong_in_one_line(tmp_path, capsys):
    assert hub.main(["--state", str(tmp_path), "collect", "99"]) == 2
    assert capsys.readouterr().err.startswith("make hub: error: no lesson '99'")
    assert hub.main(["start", "--students", "Ann", "--state", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "student name 'Ann' is not allowed" in err or "proxy is not installed" in err
