"""The shipped campaign: every ending reached by a walkthrough, the facts told on the main path.

Each walkthrough is played once for the whole run (the `shipped_walks` fixture); `adventure walk`
itself is tested on the small story in test_tools.py.
"""

from __future__ import annotations

import re

import attrs
import pytest

from adventure.analysis.walkthrough import Walked
from adventure.core import engine
from adventure.core.model import Choice, Story, Text
from adventure.core.output import plain
from adventure.core.state import GameState
from adventure.story.walkthroughs import load_walkthrough

from .support import WALKTHROUGHS

NAMES = sorted(path.name for path in WALKTHROUGHS.glob("*.yaml"))


def words(text: Text) -> int:
    return sum(len(part.split()) for paragraph in text for part in paragraph.template.parts if isinstance(part, str))


def test_the_campaign_is_long_enough_for_an_evening(shipped_story: Story) -> None:
    scenes = shipped_story.scenes.values()
    total = sum(words(s.text) + words(s.first) + words(s.again) + sum(words(c.say) for c in s.choices) for s in scenes)
    total += sum(words(e.text) for e in shipped_story.endings.values())
    assert len(shipped_story.scenes) >= 80
    assert total >= 20_000


@pytest.mark.parametrize("name", NAMES, ids=[name.removesuffix(".yaml") for name in NAMES])
def test_each_walkthrough_passes_to_an_ending(shipped_walks: dict[str, Walked], name: str) -> None:
    walked = shipped_walks[name]
    assert walked.failure is None, f"{walked.failure}"
    assert walked.state.ended


def test_every_ending_is_reached_by_a_walkthrough(shipped_story: Story, shipped_walks: dict[str, Walked]) -> None:
    reached = {walked.state.ending for walked in shipped_walks.values()}
    assert reached == set(shipped_story.endings)
    assert len(reached) >= 3


def test_the_canonical_path_collects_all_nine_ids(shipped_story: Story, shipped_walks: dict[str, Walked]) -> None:
    state = shipped_walks["code_eve.yaml"].state
    assert state.ending == "code_eve"
    assert set(state.inventory) >= shipped_story.id_items and shipped_story.ids_total == 9


@pytest.mark.parametrize(
    "fact",
    [
        "Immortal Nine",
        "Asimov",
        "Usurper",
        "Visitor",
        "Alter",
        "Jill",
        "Jaron",
        "carnival",
        "Puppet Master",
        "Code Eve",
        "Eva",
        "Roy",
        "Cyan",
        "Opera",
        "first Nean",
        "antivirus",
        "Venus",
        "Jean",
        "Naomi",
    ],
)
def test_the_main_path_tells_the_story_bible(shipped_walks: dict[str, Walked], fact: str) -> None:
    assert fact in "\n".join(shipped_walks["code_eve.yaml"].transcript), f"the main path never mentions {fact!r}"


# ------------------------------------------------- the playtest's bugs (feedback/playtest.md, section 2)


def play(story: Story, commands: list[str], state: GameState | None = None) -> tuple[GameState, list[str]]:
    """Type the commands; the state after the last, and what the game printed for each (the first
    entry is the opening, when starting from scratch)."""
    turn = engine.begin(story) if state is None else engine.step(story, state, "look")
    said = [plain(turn.output)]
    for command in commands:
        turn = engine.step(story, turn.state, command)
        said.append(plain(turn.output))
        assert "You can't '" not in said[-1] and "Which do you mean" not in said[-1], (command, said[-1])
    return turn.state, said


def walk_to(story: Story, walkthrough: str, scene: str) -> GameState:
    """The state a shipped walkthrough reaches when it first comes into `scene`."""
    turn = engine.begin(story)
    for step in load_walkthrough(WALKTHROUGHS / walkthrough).steps:
        if turn.state.scene == scene:
            return turn.state
        if step.command is not None:
            turn = engine.step(story, turn.state, step.command)
    raise AssertionError(f"{walkthrough} never comes into {scene}")


def at(story: Story, scene: str, **variables: int | bool) -> GameState:
    """A state in `scene` with the given variables, to read how its text reads there."""
    state = engine.begin(story).state
    return attrs.evolve(state, scene=scene, variables=state.variables.updated(variables))


def flat(text: str) -> str:
    return " ".join(text.split())


PROLOGUE = ["let go of his wrist", "follow naomi", "go on to the briefing", "pick up the pass and say nothing"]
TO_MARS = [*PROLOGUE, "deform", "disarm the sergeant", "tell naomi you are ready"]


def test_2_look_does_not_show_the_chocolate_already_taken(shipped_story: Story) -> None:
    _, said = play(shipped_story, ["let go of his wrist", "take the chocolate", "look"])
    assert "On the counter lies a bar of dark chocolate" in said[1]
    assert "On the counter lies" not in said[3]


def test_2_look_does_not_show_the_puppet_masters_chocolate_once_taken(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "truth_puppet")
    _, said = play(shipped_story, ["take the chocolate he offers", "look"], state)
    assert "holds out the bigger half" in flat(said[0])  # item 11: the offer is shown first
    assert "holds out the bigger half" not in flat(said[2])


KOVAL_AND_DARA = [*TO_MARS, "go to the hiring hall", "ask koval about brenner", "go back out to the docks"]
KOVAL_AND_DARA += ["find the canteen at pad four", "go back out to the docks", "climb crane seven"]


def test_3_nils_is_known_by_name_and_can_be_spared_without_searching_his_room(shipped_story: Story) -> None:
    state, said = play(shipped_story, [*KOVAL_AND_DARA, "ask about dara", "deform", "get under the other end"])
    text = flat(said[-1])
    assert "You know nothing about him" not in text and "don't even know my name" not in text
    assert "Wellstown" in text and "Offer him the sleep" in text
    assert not state.visits.get("nius_home")
    state, _ = play(shipped_story, ["offer him the sleep"], state)
    assert state.variables["spared_nius"]


def test_3_asking_naomi_for_another_way_is_always_offered_at_the_crane(shipped_story: Story) -> None:
    _, said = play(shipped_story, [*TO_MARS, "go to the hiring hall", "go back out to the docks", "climb crane seven"])
    assert "Ask Naomi if there is another way" in said[-1]
    assert "Down here I'm Nils" in flat(said[-1])


TO_ACHILLUS_LEDGE = ["report to jean", "go to gessler's gym", "ask marta what aki wants", "go down to the copper pit"]
TO_ACHILLUS_LEDGE += ["let him fight first", "make the mercenary let go of the gun", "offer him the sleep"]


def test_4_rouge_asks_for_the_other_way_only_as_she_heard_it(shipped_story: Story) -> None:
    held = [*KOVAL_AND_DARA, "ask about dara", "deform", "get under the other end", "take his id"]
    _, said = play(shipped_story, [*held, *TO_ACHILLUS_LEDGE])
    assert "the one from the crane" in flat(said[-1])
    struck = [*KOVAL_AND_DARA, "deform", "strike while his back is turned"]
    _, said = play(shipped_story, [*struck, *TO_ACHILLUS_LEDGE])
    assert "Is there a way he doesn't have to stop?" in flat(said[-1])
    assert "The other way" not in said[-1]


def test_5_the_impostor_followed_is_not_told_how_she_was_caught(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "jaron_start")
    state = attrs.evolve(state, variables=state.variables.updated({"nectar": 1}))  # a dose for the Deform
    commands = ["board the bus", "ride on to the water stop", "pump the water", "follow her into the wreck", "deform"]
    state, said = play(shipped_story, [*commands, "hear his deal", "take his deal"], state)
    assert "A habit, Naomi said" not in flat(said[5])  # Rouge never asked Naomi at the depot
    assert "Tell Naomi how you knew it wasn't her" not in said[-1]
    assert "Tell Naomi you nearly didn't know" in said[-1]


def test_5_the_crew_deck_and_jills_love_are_only_named_once_met(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "noir_start")
    commands = ["go in to dinner", "go to the card room", "tell him why you're here", "go up to the observation deck"]
    commands += ["accept the duel", "draw on the first stroke", "report to jean truthfully"]
    state, said = play(shipped_story, commands, state)
    assert "Wick" not in "".join(said)
    assert "Two Nean stewards from the crew decks" in flat(said[-2])
    commands = ["go down to earth", "go to tannery lane", "go to the aurelia hall"]
    state, said = play(shipped_story, commands, state)
    assert "Tell him Jill loved Eden Varock" not in said[-1]
    assert "Milo's loft" not in said[-2] and "the journalist" not in said[-2]


def test_5_the_strays_are_not_thanked_for_a_talk_that_never_was(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "aerkos_start")
    commands = ["go to the sunken mile", "go on to the tea house", "leave and wait for nightfall", "fight her"]
    _, said = play(shipped_story, [*commands, "report to jean"], state)
    assert "THANK YOU FOR BEING HONEST" not in said[-2]
    assert "ragged Neans from the tea house are gone" in flat(said[-2])
    assert "Pip" not in said[-1]


def test_6_sarah_does_not_name_the_bar_floor_in_the_alley(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "viola_club")
    _, said = play(shipped_story, ["wait for her at the stage door"], state)
    assert "Marnie's floor" not in said[-1]
    assert "Not out here by the bins" in flat(said[-1])


def test_7_jean_is_still_on_the_line_when_he_is_answered(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "aerkos_start")
    _, said = play(shipped_story, ["ask jean why he wants the ids so badly", "tell jean you'll do as he says"], state)
    assert "slate goes dark" not in said[1] and "I heard that" in said[1]
    state = walk_to(shipped_story, "all_killed.yaml", "jill_start")
    _, said = play(shipped_story, ["ask jean what she'll say", "promise jean you won't listen to her"], state)
    assert "The line closes" not in said[1]


def test_8_naomi_is_where_she_has_been_all_along(shipped_story: Story) -> None:
    _, said = play(shipped_story, [], walk_to(shipped_story, "code_eve.yaml", "noir_start"))
    assert "come in person" not in said[0]
    hub = shipped_story.scenes["truth_hub"]
    assert "Naomi is eating pickles in front of the map" not in " ".join(p.template.parts[0] for p in hub.again)
    state = walk_to(shipped_story, "all_killed.yaml", "jaron_wreck")
    _, said = play(shipped_story, ["ask naomi why she won't look at the machines", "pump the water"], state)
    assert "She goes in" not in said[1] and "Naomi goes in" in said[2]


def test_9_rouge_does_not_ask_what_the_visitors_look_like_after_meeting_one(shipped_story: Story) -> None:
    _, said = play(shipped_story, ["ask naomi why the visitors want this planet"], at(shipped_story, "venus_start"))
    assert "look like" not in said[1]


def test_10_one_kill_is_one_kill(shipped_story: Story) -> None:
    _, said = play(shipped_story, [], at(shipped_story, "truth_puppet", killed=1, spared=8))
    assert "each of them fell" not in said[0] and "You were there when it fell" in flat(said[0])
    _, said = play(shipped_story, [], at(shipped_story, "venus_extraction", killed=1, spared=6))
    assert "The ones you killed" not in said[0] and "The one you killed" in said[0]
    _, said = play(shipped_story, [], at(shipped_story, "venus_fall", spared=1))
    assert "the one you spared sleeps on" in flat(said[0])


def test_11_the_shove_is_shown_before_rouge_steps_between(shipped_story: Story) -> None:
    _, said = play(shipped_story, [*TO_MARS, "go to the hiring hall"])
    assert "shoves" in said[-1] and "Step between the man and the Nean" in said[-1]


def test_11_the_puppet_master_holds_out_the_ticket_he_offers(shipped_story: Story) -> None:
    state = attrs.evolve(walk_to(shipped_story, "code_eve.yaml", "truth_puppet"), inventory=())
    _, said = play(shipped_story, [], state)
    assert "a paper ticket with a grinning puppet" in flat(said[0]) and "Take the ticket he offers you" in said[0]


def test_12_hearing_jarons_deal_does_not_accept_it(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "jaron_hands")
    state, said = play(shipped_story, ["hear his deal"], state)
    assert state.scene == "jaron_hands" and not state.variables["jaron_deal"]
    assert "Take his deal and let go of his wrist" in said[-1] and "Reach for his Id" in said[-1]
    state, _ = play(shipped_story, ["take his deal"], state)
    assert state.variables["jaron_deal"] and "jaron_queen" in state.inventory


def test_12_fighting_at_hesper_is_a_fight(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_spared.yaml", "venus_hall")
    state, said = play(shipped_story, ["fight"], state)
    assert state.scene == "venus_brawl"
    assert "Let your armour fall" in said[-1] and "Cut the cables anyway" in said[-1]
    state, said = play(shipped_story, ["cut the cables anyway"], state)
    assert "No blood comes out of it" in flat(said[-1]) and state.variables["knows_naomi"]
    assert "One cradle still smokes" in flat(said[-1])


def test_12_jean_can_be_told_whether_eden_was_fast(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "noir_earth")
    state, said = play(shipped_story, ["report to jean truthfully"], state)
    assert "Was he fast?" in said[-1] and "Tell Jean how fast Eden was" in said[-1]
    _, said = play(shipped_story, ["tell jean how fast eden was"], state)
    assert "Faster than the hat" in said[-1]


def test_12_rouge_can_warn_jean_that_lenz_is_jaron(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "venus_jean")
    state, said = play(shipped_story, [], state)
    assert "Warn Jean" not in said[0]
    state, said = play(shipped_story, ["watch captain lenz", "warn jean that lenz is jaron fate"], state)
    assert "a single playing card lies face down" in flat(said[-1])
    state, said = play(shipped_story, ["take the service road", "go on up the road to hesper"], state)
    assert "You warned him, red" in flat(said[-1])


# ------------------------------------------------- Venus: the last refill, and Deform costs a dose


def test_naomi_restocks_rouge_to_three_before_venus_and_says_so(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "truth_launch")
    state = attrs.evolve(state, variables=state.variables.updated({"nectar": 0}))
    state, said = play(shipped_story, ["watch venus grow in the window"], state)
    assert state.scene == "venus_start" and state.variables["nectar"] == 3
    assert "one, two, three" in flat(said[-1]) and "The last of it" in flat(said[-1])


def test_every_deform_on_venus_costs_a_dose_and_none_left_still_goes_on(shipped_story: Story) -> None:
    _, said = play(shipped_story, [], at(shipped_story, "venus_hall", nectar=0))
    assert "Fight (unavailable: you have no Nectar left to Deform)" in flat(said[0])
    assert "Give Jill the case of Ids" in said[0]
    state, said = play(shipped_story, [], at(shipped_story, "venus_cyan", nectar=0))
    assert "Deform and fight (unavailable: you have no Nectar left)" in flat(
        said[0]
    ) and "Your hand goes to your Nectar case. It is empty." in flat(said[0])
    state, said = play(shipped_story, ["stand in her way without armour"], state)
    assert state.scene == "venus_naomi" and state.variables["bare_hands"]
    state, _ = play(shipped_story, [], at(shipped_story, "venus_cyan", nectar=2))
    state, _ = play(shipped_story, ["deform and fight"], state)
    assert state.variables["nectar"] == 1


def test_a_dose_given_on_the_greenline_is_remembered(shipped_story: Story, shipped_walks: dict[str, Walked]) -> None:
    walked = shipped_walks["all_spared.yaml"]
    assert walked.state.ending == "code_eve" and walked.state.variables["bare_hands"]
    transcript = flat("\n".join(walked.transcript))
    assert "Wren is pressing mats" in transcript and "A small Nean called Wren sits down beside her" in transcript


def test_the_code_eve_ending_hears_from_those_rouge_gave_doses_to(
    shipped_story: Story, shipped_walks: dict[str, Walked]
) -> None:
    walked = shipped_walks["code_eve.yaml"]
    assert walked.state.ending == "code_eve"
    assert "letters come from people you once gave a dose to" in flat("\n".join(walked.transcript))
    _, said = play(shipped_story, ["go with naomi"], at(shipped_story, "venus_war"))
    assert "Code Eve" in said[-1] and "gave a dose to" not in flat(said[-1])


def test_the_bare_handed_wound_on_venus_is_not_the_ribs_again(shipped_story: Story) -> None:
    _, said = play(shipped_story, ["stand in her way without armour"], at(shipped_story, "venus_cyan", nectar=0))
    assert "knee" in flat(said[-1]) and "your side" not in flat(said[-1])


# ------------------------------------------------- the playtest's bugs, continued


def test_13_naomi_remembers_the_letter_she_was_shown(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "truth_start")
    assert state.variables["showed_letter"]
    _, said = play(shipped_story, [], state)
    assert "Show Naomi Eva's letter" not in said[-1]  # she has read it: it is not offered as news again
    unseen = attrs.evolve(state, variables=state.variables.updated({"showed_letter": False}))
    _, said = play(shipped_story, ["show naomi eva's letter"], unseen)
    assert "reads aloud, and stops" in flat(said[-1])


def test_13_no_closed_fists_no_gun(shipped_story: Story) -> None:
    texts = [flat(p.template.parts[0]) for e in shipped_story.endings.values() for p in e.text]
    assert not any("fists closed" in t for t in texts)
    _, said = play(shipped_story, [], at(shipped_story, "jill_rooftop", spared_noir=False))
    assert "You shot" not in said[0]


def paragraphs(story: Story) -> list[str]:
    """Every literal piece of every text: scenes, what choices say, endings."""
    texts = [t for s in story.scenes.values() for t in (s.text, s.first, s.again, *(c.say for c in s.choices))]
    texts += [b.say for s in story.scenes.values() for c in s.choices for b in c.branches]
    texts += [e.text for e in story.endings.values()]
    return [part for text in texts for p in text for part in p.template.parts if isinstance(part, str)]


def test_14_one_speaker_a_paragraph(shipped_story: Story) -> None:
    # Two quoted speeches side by side ("..." "...") in one paragraph: one speaker each, please.
    crowded = [p for p in paragraphs(shipped_story) for para in p.split("\n\n") if re.search(r'[.?!,]" +"', para)]
    assert crowded == []


def test_15_the_cards_and_the_notebook_are_carried(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "viola_dressing")
    state, _ = play(shipped_story, [], state)
    assert "sarah_jack" in state.inventory
    state = walk_to(shipped_story, "code_eve.yaml", "noir_start")
    assert "jaron_jack" in state.inventory
    state = walk_to(shipped_story, "code_eve.yaml", "truth_start")
    assert "jill_notebook" in state.inventory
    _, said = play(shipped_story, ["inventory", "stats"], state)
    # Nectar is shown out of 3 (Deforming in the Aerkos and Jill hunts spends doses on the way here).
    assert "Jill's notebook" in said[1] and re.search(r"Nectar: [#.]{3} [0-3]/3", said[2])


# ------------------------------------------------- the reveal schedule and Nectar (issue 13): prologue and act 2


def test_the_prologue_names_roy_yunghart_and_tells_the_usurpers_once(shipped_story: Story) -> None:
    _, said = play(shipped_story, ["let go of his wrist", "follow naomi", "go on to the briefing"])
    corridor, briefing = flat(said[2]), flat(said[3])
    for fact in ["Usurpers", "Visitors", "Neans were made for that war", "Venus"]:
        assert fact in corridor
    assert "Dr Roy Yunghart. He was my father. He died ten years ago" in briefing
    station = " ".join(flat(p.template.parts[0]) for p in shipped_story.scenes["truth_station"].text)
    assert "carving at Tycho again" in station and "Visitors came" not in station  # refers back, no retelling


def test_naomi_refills_the_case_to_three_at_the_ministry(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "truth_start")
    assert state.variables["nectar"] == 3
    first = " ".join(flat(p.template.parts[0]) for p in shipped_story.scenes["truth_start"].first)
    assert "Three. Ministry stock" in first


def test_a_dose_given_to_agathe_is_remembered_at_the_launch_field(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "puppet_trust.yaml", "truth_nowhere")
    state, said = play(shipped_story, ["give agathe a dose"], state)
    assert state.variables["nectar"] == 2 and state.variables["gave_agathe"]
    _, said = play(shipped_story, [], at(shipped_story, "truth_confront", gave_agathe=True))
    assert "Agathe telephoned" in flat(said[0])
    _, said = play(shipped_story, [], at(shipped_story, "truth_confront", gave_agathe=False))
    assert "Agathe" not in said[0]
    _, said = play(shipped_story, [], at(shipped_story, "truth_nowhere", nectar=0))
    assert "Give Agathe a dose (once) (unavailable: no Nectar left)" in said[0]


def test_opera_s_game_is_a_deform_and_costs_a_dose(shipped_story: Story) -> None:
    state, said = play(shipped_story, ["play opera's game"], at(shipped_story, "truth_carnival", nectar=1))
    assert state.variables["nectar"] == 0 and "crawls away" in flat(said[-1])
    _, said = play(shipped_story, [], at(shipped_story, "truth_carnival", nectar=0))
    assert "(unavailable: no Nectar left)" in said[0] and "Ask to see the Puppet Master" in said[0]
    assert "far too many arms" in flat(said[0])  # the wrong thing about her is shown on every path


def test_nowhere_house_shows_that_roy_did_not_die_on_the_direct_path(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "puppet_trust.yaml", "truth_nowhere_rooms")
    _, said = play(shipped_story, ["open the last door"], state)
    text = flat(said[-1])
    assert "did not die in the fire" in text and "music box" in text and "Puppet Master" not in text


def test_naomi_is_the_first_nean_at_the_visitors_audience_on_the_direct_path(shipped_story: Story) -> None:
    _, said = play(shipped_story, [], walk_to(shipped_story, "puppet_trust.yaml", "truth_visitor"))
    assert "The first Nean" in flat(said[0]) and "I'm a Nean, kid" in flat(said[0])


# ------------------------------------------------- Noir and Grauphon: Nectar, what decides sparing, the seeds


def test_noir_naomi_restocks_rouge_to_three_and_says_so(shipped_story: Story) -> None:
    state, said = play(shipped_story, ["ride on to arsia port"], at(shipped_story, "jaron_escape", nectar=0))
    assert state.scene == "noir_start" and state.variables["nectar"] == 3
    assert "three ampoules" in flat(said[-1]) and "the last box until the Ministry" in flat(said[-1])


def test_noir_deform_costs_a_dose_and_the_duel_can_be_faced_without_one(shipped_story: Story) -> None:
    state, said = play(shipped_story, ["deform and accept the duel"], at(shipped_story, "noir_observation", nectar=2))
    assert state.variables["nectar"] == 1 and state.scene == "noir_duel"
    _, said = play(shipped_story, [], at(shipped_story, "noir_observation", nectar=0))
    assert "Deform and accept the duel (unavailable: no Nectar left)" in flat(said[0])
    state, said = play(
        shipped_story,
        ["face him without deform", "draw on the first stroke"],
        at(shipped_story, "noir_observation", nectar=0),
    )
    assert "id_noir" in state.inventory and "goes through your shoulder" in flat(said[-1])
    assert "Naomi stitched your shoulder" in flat(said[-1])  # the cost, remembered at Earthfall


def test_noir_sparing_rests_on_the_letter_every_player_is_given(shipped_story: Story) -> None:
    # The straight path (no crew decks, no questions) is handed Eva's letter and offered the sleep.
    state = walk_to(shipped_story, "puppet_trust.yaml", "noir_observation")
    _, said = play(shipped_story, [], state)
    assert not state.visits.get("noir_steerage") and "eva_letter" in state.inventory
    assert "To whoever carries the last key" in flat(said[0]) and "I'd like to stop moving" in flat(said[0])
    assert "Offer him sleep instead of a duel" in said[0]


def test_noir_a_dose_given_below_decks_is_remembered(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "noir_dining")
    commands = ["go below to the crew decks", "give the shaking steward a dose", "go up to the card room"]
    commands += ["tell him why you're here", "go up to the observation deck", "offer him sleep"]
    state, said = play(shipped_story, commands, state)
    assert state.variables["nectar"] == 2 and "brass button" in flat(said[-1])


def test_noir_opera_never_eats_at_the_table(shipped_story: Story) -> None:
    _, said = play(shipped_story, ["go in to dinner"], walk_to(shipped_story, "puppet_trust.yaml", "noir_start"))
    assert "the plate goes back to the kitchen exactly as it came" in flat(said[-1])


def test_grauphon_the_puppet_master_breaks_chocolate_and_nobody_names_him(shipped_story: Story) -> None:
    state, said = play(shipped_story, ["go down to earth"], walk_to(shipped_story, "puppet_trust.yaml", "noir_earth"))
    text = flat(said[-1])
    assert state.scene == "grauphon_start" and "snaps a bar of chocolate in two" in text
    assert "the bigger half held out to you" in text
    assert not any(name in text for name in ("Roy", "Yunghart", "father"))


def test_grauphon_sparing_rests_on_what_milo_says_of_jill_not_on_the_loft(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "puppet_trust.yaml", "grauphon_hall")
    _, said = play(shipped_story, [], state)
    assert "she asked me to stand next to her" in flat(said[0])
    state, said = play(shipped_story, ["tell him you've come for his id"], state)
    assert not state.visits.get("grauphon_loft") and "Tell him he doesn't have to carry this" in said[-1]


def test_grauphon_without_a_dose_rouge_crawls_and_it_costs_her_eyes(shipped_story: Story) -> None:
    _, said = play(shipped_story, [], at(shipped_story, "grauphon_fight", nectar=0))
    assert "Deform and force your way up (unavailable: no Nectar left)" in flat(said[0])
    state, said = play(shipped_story, ["crawl to him without deform"], at(shipped_story, "grauphon_fight", nectar=0))
    assert "id_grauphon" in state.inventory and state.variables["killed"] == 1
    assert "small hot burst" in flat(said[-1]) and '"Your eyes," says Naomi' in flat(said[-1])


def test_grauphon_a_dose_left_for_milo_is_in_the_hall(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_killed.yaml", "grauphon_yard")
    state, said = play(shipped_story, ["leave milo a dose", "go to the aurelia hall"], state)
    assert "An empty ampoule stands on the piano lid" in flat(said[-1])


# ------------------------------------------------- issue 13: the Aerkos hunt sets the route of the Jill hunt


def test_sparing_aes_sends_rouge_over_the_roofs_to_jill_before_the_lantern(shipped_walks: dict[str, Walked]) -> None:
    spared = flat("\n".join(shipped_walks["all_spared.yaml"].transcript))
    assert "Jill doesn't sleep at The Lantern" in spared and "The Bindery Attic" in spared
    assert "Printers' Row" not in spared and "The Newsroom" not in spared and "The Morgue" not in spared
    fought = flat("\n".join(shipped_walks["code_eve.yaml"].transcript))
    assert "Printers' Row" in fought and "The Newsroom" in fought and "The Bindery Attic" not in fought


def test_calling_out_to_aes_works_only_with_an_answer_for_the_strays(shipped_story: Story) -> None:
    # What decides it is on screen: Aes says Alter is for the strays, Pip asks where they would go.
    state, said = play(shipped_story, ["call out to aes"], at(shipped_story, "aerkos_night"))
    assert state.scene == "aerkos_night" and "Who hides them, if I stop?" in flat(said[1])
    state = walk_to(shipped_story, "all_spared.yaml", "aerkos_night")
    state, said = play(shipped_story, ["call out to aes"], state)
    assert state.scene == "aerkos_dawn" and "id_aerkos" in state.inventory
    assert "Go over the roofs to the bindery" in said[1] and "Go to find Jill Sturgeon" not in said[1]


def test_with_no_nectar_aerkos_and_jill_still_have_a_way_on(shipped_story: Story) -> None:
    _, said = play(shipped_story, [], at(shipped_story, "aerkos_runaways", nectar=0))
    assert "Give Pip a dose of Nectar (once) (unavailable: you have no Nectar left)" in flat(said[0])
    state, said = play(shipped_story, ["hide from her until sunrise"], at(shipped_story, "aerkos_night", nectar=0))
    assert "Deform and fight her (unavailable: no Nectar left to Deform with)" in flat(said[0])
    assert state.scene == "aerkos_sunrise" and "left arm" in said[1]
    state, said = play(shipped_story, ["take the id she holds out", "go over the roofs to the bindery"], state)
    assert (
        state.variables["spared_aerkos"]
        and state.scene == "jill_garret"
        and 'Alice." It is not a question' in flat(said[-1])
    )
    state, said = play(shipped_story, ["go for her without deform"], at(shipped_story, "jill_rooftop", nectar=0))
    assert "Deform (unavailable: you have no Nectar left)" in flat(said[0])
    assert state.scene == "jill_strings" and "lance slides out of your thigh" in flat(said[1])
    state, said = play(shipped_story, ["let her speak her piece"], state)
    assert "She looks at your leg" in flat(said[1])


def test_deforming_against_aerkos_and_jill_spends_a_dose(shipped_story: Story) -> None:
    state, _ = play(shipped_story, ["deform and fight her"], at(shipped_story, "aerkos_night", nectar=2))
    assert state.variables["nectar"] == 1 and state.scene == "aerkos_dawn"
    state, _ = play(shipped_story, ["deform"], at(shipped_story, "jill_rooftop", nectar=1))
    assert state.variables["nectar"] == 0 and state.scene == "jill_fight"


def test_jills_piece_asks_instead_of_listing_the_nine(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "jill_strings")
    _, said = play(shipped_story, ["let her speak her piece"], state)
    assert "Tell me which one of them was plotting" in flat(said[1])
    assert "a piano mover" not in said[1] and "Free is" not in said[1]


# ------------------------------------------------- hunts that differ (issue 13): Verde and Jaron


def test_the_verde_hunt_has_no_fight(shipped_story: Story) -> None:
    verde = [s for name, s in shipped_story.scenes.items() if name.startswith("verde_")]
    labels = ["".join(str(p) for p in c.label.parts) for s in verde for c in s.choices]
    assert labels and not any("Deform" in str(label) or "ight" in str(label) for label in labels)
    texts = [
        flat(part)
        for s in verde
        for t in (s.text, s.first, s.again, *(c.say for c in s.choices))
        for p in t
        for part in p.template.parts
        if isinstance(part, str)
    ]
    assert not any('Deform,"' in t or "Deform." in t for t in texts)
    # The direct path (no ward) can still spare him, with what Pell said in the clinic, which every path reads.
    state = walk_to(shipped_story, "puppet_trust.yaml", "verde_clinic")
    state, said = play(shipped_story, [], state)
    assert "It still runs downhill" in flat(said[0])
    state, said = play(shipped_story, ["tell him you've come for his id"], state)
    assert "if nothing matters" in flat(said[-1]) and "Tell him he can sleep with the others" in said[-1]
    doses = state.variables["nectar"]
    state, said = play(shipped_story, ["tell him he can sleep with the others"], state)
    assert "Pell says" in flat(said[-1]) and state.variables["spared_verde"] and state.variables["nectar"] == doses


def test_a_dose_for_mirelle_is_remembered_and_costs_a_deform(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "all_spared.yaml", "verde_ward")
    dry = attrs.evolve(state, variables=state.variables.updated({"nectar": 0}))
    _, said = play(shipped_story, [], dry)
    assert "Give Mirelle a dose of your own (once) (unavailable: no Nectar left)" in flat(said[0])
    one = attrs.evolve(state, variables=state.variables.updated({"nectar": 1}))
    state, said = play(shipped_story, ["give mirelle a dose of your own", "follow him out at dusk"], one)
    assert state.variables["nectar"] == 0 and "She won't know" in said[1]
    state, said = play(shipped_story, ["tell him he can sleep with the others"], state)
    assert "Somebody will have to do her drops" in flat(said[-1])
    state, said = play(
        shipped_story, ["sleep, and catch the dawn bus", "board the bus", "ride on to the water stop"], state
    )
    assert "Naomi counts your case" in flat(said[1])
    state, said = play(shipped_story, ["pump the water", "tell her she isn't naomi"], state)
    assert "a dose for a woman asleep sixty-one years" in flat(said[-1])
    assert "Deform (unavailable: no Nectar left)" in flat(said[-1])


def test_jaron_hunts_rouge_from_the_start(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "code_eve.yaml", "jaron_start")
    _, said = play(shipped_story, [], state)
    assert "jaron_jack" in state.inventory and "See you at the end of the road" in said[0]
    assert "he has been studying yours" in flat(said[0]) and "Naomi holds the card up to the bird" in flat(said[0])
    # He rides the bus in a borrowed face; the tell is in his hands, and Rouge can name it.
    state, said = play(shipped_story, ["board the bus", "talk to the old man"], state)
    assert "His hands are not" in flat(said[-1]) and state.variables["watched_dace"]
    state, said = play(shipped_story, ["ride on to the water stop", "pump the water"], state)
    assert "Her other thumb riffles" in flat(said[-1])
    state, said = play(shipped_story, ["tell her she isn't naomi"], state)
    assert "You weren't Mr Dace either" in flat(said[-1]) and state.variables["unmasked_jaron"]


def test_jarons_fight_has_a_way_on_with_no_nectar(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "puppet_trust.yaml", "jaron_reveal")
    state = attrs.evolve(state, variables=state.variables.updated({"nectar": 0}))
    state, said = play(shipped_story, ["look", "watch his hands"], state)
    assert "Deform (unavailable: no Nectar left)" in flat(said[1])
    assert state.scene == "jaron_hands" and "bare-handed" in flat(said[-1])
    state, said = play(shipped_story, ["hear his deal", "take his deal"], state)
    assert state.variables["jaron_deal"] and "Then she sees your palm" in flat(said[-1])


def test_a_dose_for_tamsin_on_the_bus_is_remembered_at_the_port(shipped_story: Story) -> None:
    state = walk_to(shipped_story, "puppet_trust.yaml", "jaron_bus")
    state = attrs.evolve(state, variables=state.variables.updated({"nectar": 3}))  # whatever Mars cost
    state, said = play(shipped_story, ["look"], state)
    assert "Give Tamsin a dose" not in said[1]  # not before she has been met
    state, said = play(shipped_story, ["talk to the nean", "give tamsin a dose"], state)
    assert "Her hands shake" in flat(said[1]) and state.variables["nectar"] == 2
    commands = ["ride on to the water stop", "pump the water", "tell her she isn't naomi", "deform", "reach for his id"]
    state, said = play(shipped_story, commands, state)
    assert state.variables["nectar"] == 1 and "Tamsin lifts a steady hand" in flat(said[-1])


# ------------------------------------------------- the Mars chapters: Nectar, and a hunt decided by talk


def label(choice: Choice) -> str:
    return "".join(part for part in choice.label.parts if isinstance(part, str))


def test_viola_is_a_conversation_with_no_deform_and_no_fight(shipped_story: Story) -> None:
    viola = [scene for name, scene in shipped_story.scenes.items() if name.startswith("viola_")]
    assert viola and not any("Deform" in label(c) or "Fight" in label(c) for s in viola for c in s.choices)
    # Straight to the stage door: nothing learned, so every true answer is shown with what is missing.
    state = walk_to(shipped_story, "all_killed.yaml", "viola_club")
    state, said = play(shipped_story, ["wait for her at the stage door"], state)
    roof = flat(said[-1])
    assert "Tell me two true things" in roof
    assert "Show her the card with I AM OUT on it (unavailable: you have found nothing she wrote)" in roof
    assert "Tell her how her song ends (unavailable: you haven't heard her song)" in roof
    assert "Tell her what Ash Stahl said about her (unavailable: you haven't talked to Ash)" in roof
    # A wrong answer ends the talk: she gives up, and Rouge takes the Id.
    state, said = play(shipped_story, ["say you don't know what she wants"], state)
    assert state.scene == "viola_yield" and "Go on, then" in flat(said[-1])
    state, _ = play(shipped_story, ["take her id"], state)
    assert "id_viola" in state.inventory and not state.variables["spared_viola"]


def test_what_rouge_learned_on_terrace_nine_decides_whether_sarah_sleeps(shipped_story: Story) -> None:
    # The song heard in the club answers the first question; the sleepers made at Cydonia and the
    # Copper Pit answer the second.
    state = walk_to(shipped_story, "code_eve.yaml", "viola_club")
    commands = ["listen to the last song", "wait for her at the stage door", "tell her how her song ends"]
    state, said = play(shipped_story, commands, state)
    assert state.scene == "viola_offer" and "Why would I ever wake up?" in flat(said[-1])
    assert "Tell her who is in her photograph (unavailable: you haven't looked in her suitcase)" in flat(said[-1])
    state, said = play(shipped_story, ["tell her about the sleepers you have already made"], state)
    assert state.variables["spared_viola"] and "A crane driver from Cydonia" in flat(said[-1])
    # With nobody spared, Ash's word and a dose given to the sweeper do it instead.
    state = walk_to(shipped_story, "all_killed.yaml", "viola_street")
    assert "Her candyfloss-pink hair streams the other way" in flat(play(shipped_story, [], state)[1][0])
    commands = ["give the sweeper a dose of your nectar", "go into the perihelion", "tell ash the truth"]
    commands += ["wait for her at the stage door", "tell her what ash stahl said about her"]
    state, said = play(shipped_story, commands, state)
    assert "Tell her about the sleepers you have already made (unavailable: you have put nobody to sleep yet)" in flat(
        said[-1]
    )
    state, said = play(shipped_story, ["tell her the sweeper has had a dose from you"], state)
    assert state.variables["spared_viola"] and "I thought he'd made you up" in flat(said[-1])


def test_each_deform_on_mars_costs_a_dose_and_none_left_still_goes_on(shipped_story: Story) -> None:
    state, said = play(
        shipped_story, [*TO_MARS, "go to the hiring hall", "go back out to the docks", "climb crane seven"]
    )
    before = state.variables["nectar"]
    after, _ = play(shipped_story, ["deform"], state)
    assert after.variables["nectar"] == before - 1 and after.scene == "nius_fight"
    _, said = play(shipped_story, [], at(shipped_story, "nius_crane", nectar=0))
    assert "Deform (unavailable: no Nectar left)" in said[0] and "Ask Naomi if there is another way" in said[0]
    _, said = play(shipped_story, [], at(shipped_story, "achillus_dressing", nectar=0))
    assert "Deform and take him now (unavailable: no Nectar left)" in said[0] and "Let him fight first" in said[0]
    # Empty at the ledge, with no sleep to offer: Aki's one punch instead of a duel, and the ribs remember it.
    state, said = play(shipped_story, [], at(shipped_story, "achillus_ledge", nectar=0))
    assert "Fight him as he asked (unavailable: no Nectar left)" in said[0]
    state, said = play(
        shipped_story, ["tell him you have nothing left", "take his id", "report to jean in order"], state
    )
    assert "id_achillus" in state.inventory and state.scene == "viola_start"
    assert "Naomi straps your ribs" in flat(said[2]) and "Your ribs creak" in flat(said[3])


def test_a_dose_given_away_on_mars_is_remembered(shipped_story: Story) -> None:
    commands = [*TO_MARS, "go to the hiring hall", "give the shaking nean a dose of your nectar"]
    state, said = play(shipped_story, [*commands, "go back out to the docks", "climb crane seven"])
    assert state.variables["nectar"] == engine.begin(shipped_story).state.variables["nectar"] - 1
    assert "Oskar came up my ladder ahead of you" in flat(said[-1])
    # The sergeant paid off in Penn's back room is not behind Marta's stool in the third round.
    state = walk_to(shipped_story, "all_spared.yaml", "achillus_dressing")
    assert state.variables["paid_kestrel"]
    _, said = play(shipped_story, ["let him fight first"], state)
    assert "Behind Marta's stool there is nobody at all" in flat(said[-1])
    assert "Break the mercenary's gun hand" not in said[-1]
