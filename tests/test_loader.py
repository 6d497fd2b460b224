from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest

from adventure.core.errors import AdventureError, StoryError
from adventure.story.loader import load_story

from .support import MINI_SCENES, MINI_STORY, write_story


def problems_for(
    tmp_path: Path, scenes: str, story: str = MINI_STORY, extra: dict[str, str] | None = None
) -> list[str]:
    folder = write_story(tmp_path / "s", {"story.yaml": story, "hall.yaml": scenes, **(extra or {})})
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    return [p.format().split("/s/", 1)[1] for p in caught.value.problems if p.severity == "error"]


def test_the_mini_story_loads(mini_dir: Path) -> None:
    story = load_story(mini_dir)
    assert set(story.scenes) == {"hall", "yard"}
    assert story.ids_total == 2
    assert story.scenes["hall"].choices[1].words == ("coins", "money")


def test_yaml_syntax_error_names_line_column_and_a_hint(tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace('      - "A long hall. Gold: {gold}."', "      - A long hall. Gold: {gold}.")
    [problem] = problems_for(tmp_path, scenes)
    assert problem.startswith("hall.yaml:7:")
    assert "YAML syntax" in problem and "quotes" in problem


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("    title: The Yard", "\ttitle: The Yard"))
    assert "hall.yaml:24:1:" in problem and "tabs" in problem


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    [problem] = problems_for(
        tmp_path, MINI_SCENES.replace("      - label: Go back inside", "      - lable: Go back inside")
    )
    assert problem.startswith("hall.yaml:29:9: error: unknown key 'lable'")
    assert "did you mean 'label'?" in problem


def test_wrong_type_names_what_was_expected(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("        once: true", "        once: twice"))
    assert problem == "hall.yaml:12:15: error: 'once' should be true or false, found 'twice'"


def test_missing_required_key(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("    title: The Yard\n", ""))
    assert problem == "hall.yaml:24:5: error: scene 'yard' is missing 'title'"


def test_duplicate_scene_ids_across_files(tmp_path: Path) -> None:
    other = "scenes:\n  yard:\n    title: Another Yard\n    choices:\n      - label: Wait\n"
    [problem] = problems_for(tmp_path, MINI_SCENES, extra={"more/other.yaml": other})
    assert problem.startswith("more/other.yaml:2:3: error: scene 'yard' is defined twice; the first is at ")
    assert problem.endswith("hall.yaml:23")


def test_duplicate_keys_in_one_mapping(tmp_path: Path) -> None:
    [problem] = problems_for(
        tmp_path, MINI_SCENES.replace("    text: Cold air and stars.\n", "    text: Cold air.\n    text: Stars.\n")
    )
    assert problem == "hall.yaml:26:5: error: duplicate key 'text' in scene 'yard'; the first is on line 25"


def test_goto_to_a_missing_scene(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("goto: yard", "goto: yrd"))
    assert problem == "hall.yaml:22:15: error: 'goto' names scene 'yrd', which does not exist; did you mean 'yard'?"


def test_end_to_a_missing_ending(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("end: out", "end: outside"))
    assert problem == "hall.yaml:28:14: error: 'end' names ending 'outside', which does not exist; did you mean 'out'?"


def test_unknown_item_in_an_effect_points_inside_the_expression(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("do: take key", "do: take kye"))
    assert problem == "hall.yaml:13:18: error: in 'do' 'take kye': unknown item 'kye'; did you mean 'key'?"


def test_undeclared_variable_in_a_condition(tmp_path: Path) -> None:
    [problem] = problems_for(
        tmp_path, MINI_SCENES.replace("when: not has(id_two)", "when: not has(id_two) and silver > 1")
    )
    assert problem.startswith("hall.yaml:32:35: error: in 'when'")
    assert "unknown variable 'silver'" in problem


def test_expression_syntax_error_in_quotes_counts_the_quote(tmp_path: Path) -> None:
    [problem] = problems_for(
        tmp_path, MINI_SCENES.replace("when: has(key)\n        do", 'when: "has(key) &&"\n        do')
    )
    assert problem.startswith("hall.yaml:20:25: error: in 'when' 'has(key) &&': unexpected character '&'")


def test_bad_expression_inside_text_points_into_the_block(tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace(
        "    text: Cold air and stars.", "    text: |\n      Cold air.\n      You hold {gold +} coins."
    )
    [problem] = problems_for(tmp_path, scenes)
    assert (
        problem
        == "hall.yaml:27:23: error: in the text of scene 'yard': expected a value, found the end of the expression"
    )


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    scenes = (
        MINI_SCENES.replace("goto: yard", "goto: yrd")
        .replace("do: take key", "do: take kye")
        .replace("once: true", "once: 3")
    )
    story = MINI_STORY.replace("  gold: 0", "  gold: lots")
    problems = problems_for(tmp_path, scenes, story=story)
    assert len(problems) == 4
    assert any(p.startswith("story.yaml:7:9") for p in problems)


def test_variable_names_cannot_shadow_the_language(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, MINI_SCENES, story=MINI_STORY.replace("  gold: 0", "  gold: 0\n  turn: 1"))
    assert problems == [
        "story.yaml:8:3: error: 'turn' is a word of the expression language; pick another variable name"
    ]


def test_a_story_file_that_cannot_be_read_is_the_one_error_not_every_name_in_the_scenes(tmp_path: Path) -> None:
    broken = MINI_STORY.replace("description: Small and warm.", "description: Small: and warm.")
    assert broken != MINI_STORY
    folder = write_story(tmp_path / "s", {"story.yaml": broken, "hall.yaml": MINI_SCENES})
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1 and "YAML syntax" in errors[0].message and errors[0].file.endswith("story.yaml")
    assert any("checked once story.yaml can be read" in p.message for p in caught.value.problems)


@pytest.mark.parametrize(
    "text, said",
    [("", "the story file is empty"), ("# to do\n", "the story file is empty"), ("- a\n", "should be a mapping")],
    ids=["empty", "comments only", "a list"],
)
def test_a_story_file_with_nothing_to_read_is_the_one_error(tmp_path: Path, text: str, said: str) -> None:
    """Nothing in it declares a variable, an item or an ending: the scenes' every use of one is not
    an error of its own, and the story file's own error is not lost among them."""
    folder = write_story(tmp_path / "s", {"story.yaml": text, "hall.yaml": MINI_SCENES})
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1 and said in errors[0].message and errors[0].file.endswith("story.yaml")
    assert any("checked once story.yaml can be read" in p.message for p in caught.value.problems)


def test_a_missing_story_file_is_explained(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", {"hall.yaml": MINI_SCENES})
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    assert any("no story.yaml here" in p.message for p in caught.value.problems)


@pytest.mark.parametrize("kind", ["folder", "pipe", "dangling link"])
def test_a_story_file_that_is_not_a_file_is_named_as_such(tmp_path: Path, kind: str) -> None:
    """`ls` shows a story.yaml there: the error says what it is, not that there is none."""
    folder = write_story(tmp_path / "s", {"hall.yaml": MINI_SCENES})
    story_file = folder / "story.yaml"
    if kind == "folder":
        story_file.mkdir()
    elif kind == "pipe":
        os.mkfifo(story_file)
    else:
        story_file.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].file.endswith("story.yaml")
    assert f"it is a {kind}, not a file" in errors[0].message and "no story.yaml" not in errors[0].message


def test_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(AdventureError, match="no story folder"):
        load_story(tmp_path / "nowhere")


def test_text_keeps_words_as_written_and_joins_lines(tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace(
        "      - label: Leave for good",
        "      - label: No\n        say: |\n          One\n          line.\n\n          Two.\n        goto: hall\n      - label: Leave for good",
    )
    story = load_story(write_story(tmp_path / "s", {"story.yaml": MINI_STORY, "hall.yaml": scenes}))
    choice = story.scenes["yard"].choices[0]
    assert choice.label.literal == "No"
    assert [p.template.parts for p in choice.say] == [("One line.",), ("Two.",)]


def test_hidden_files_and_underscored_folders_are_skipped(tmp_path: Path) -> None:
    folder = write_story(
        tmp_path / "s",
        {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES, "_drafts/x.yaml": "not: [valid", ".x.yaml": "::"},
    )
    assert "hall" in load_story(folder).scenes


def test_a_file_that_cannot_be_read_does_not_make_every_goto_an_error(tmp_path: Path) -> None:
    folder = write_story(
        tmp_path / "s", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES, "more.yaml": "scenes:\n  x: [\n"}
    )
    (folder / "hall.yaml").write_text(MINI_SCENES.replace("goto: yard", "goto: attic"))
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    messages = [p.format() for p in caught.value.problems]
    assert not any("attic" in m for m in messages)
    assert any(
        m.endswith("note: 'goto' to missing scenes is checked again once every file can be read") for m in messages
    )
    assert caught.value.show().endswith("1 error in " + str(folder))


def test_a_condition_nested_too_deeply_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    deep = "(" * 600 + "gold > 1" + ")" * 600
    [problem] = problems_for(tmp_path, MINI_SCENES.replace("when: has(key)", f"when: {deep}", 1))
    assert problem.startswith("hall.yaml:8:") and "nested too deeply (100 levels at most)" in problem


def test_an_empty_scene_file_is_a_warning_that_names_it(tmp_path: Path) -> None:
    folder = write_story(
        tmp_path / "s", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES, "later.yaml": "# to be written\n"}
    )
    story = load_story(folder)
    [warning] = story.warnings
    assert warning.file.endswith("later.yaml") and warning.severity == "warning"
    assert "holds no scenes" in warning.message


def test_a_sub_folder_that_cannot_be_listed_is_named_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_story(tmp_path / "s", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES, "act2/x.yaml": ""})
    real = os.scandir
    locked = str(folder / "act2")

    def scandir(path: Any = ".") -> Any:  # what chmod 000 does for any user but root
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    [problem] = caught.value.problems
    assert problem.file.endswith("act2")
    assert problem.message == "cannot read this folder (Permission denied); the scenes in it were not loaded"


def test_the_collector_paused_for_a_load_runs_again_after_it_even_after_a_failure(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES})
    load_story(folder)
    assert gc.isenabled()
    (folder / "hall.yaml").write_text("scenes: [")
    with pytest.raises(StoryError):
        load_story(folder)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(StoryError):
            load_story(folder)
        assert not gc.isenabled()  # a caller's own choice is left as it was
    finally:
        gc.enable()
