"""`adventure play --json`: one JSON object a line in, exactly one JSON object a line out.

For programs that play (harnesses, other front ends, agents). Every answer is the API's
Observation with `valid_commands`; a line that is not a request gets `{"error": ...}` and the game
goes on. Nothing but those objects is written to standard output: notes go to standard error.
Documented in docs/api.md.
"""

from __future__ import annotations

import json
from typing import IO, Any

from adventure.core.output import Output, plain
from adventure.play.api import Game
from adventure.play.session import Session
from adventure.play.stopping import Stopped
from adventure.saves.savefile import SaveError

REQUESTS = ("command", "snapshot", "restore")


def play_json(session: Session, opening: Output, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Answer requests from `stdin` until it ends or the game is quit; the game is kept on leaving."""
    game = Game(session, opening)
    status = 0
    try:
        _send(stdout, _observation(game))
        for line in stdin:
            answer = _answer(game, line)
            _send(stdout, answer)
            if answer.get("quit"):
                return 0  # the session kept the game; the answer's text says where
        _leave(session, stderr)
    except KeyboardInterrupt:
        _leave(session, stderr)
    except Stopped as stop:
        status = stop.exit_code
        _leave(session, stderr)
    return status


def _answer(game: Game, line: str) -> dict[str, Any]:
    try:
        request = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": f"not JSON ({error.msg} at column {error.colno}): send one JSON object a line"}
    except (ValueError, RecursionError):
        return {"error": "not JSON this game can read (nested too deeply, or a number too long)"}
    if not isinstance(request, dict):
        return {"error": f'expected a JSON object, such as {{"command": "look"}}, not {_kind(request)}'}
    asked = [key for key in REQUESTS if key in request]
    unknown = sorted(set(request) - set(REQUESTS))
    if unknown or len(asked) != 1:
        extra = f" (unknown: {', '.join(map(repr, unknown))})" if unknown else ""
        return {"error": f"expected exactly one of 'command', 'snapshot' or 'restore'{extra}"}
    if "command" in request:
        command = request["command"]
        if not isinstance(command, str) or "\n" in command or "\r" in command:
            return {"error": "'command' is one line of text, as a player would type it"}
        game.step(command)
        return _observation(game)
    if "snapshot" in request:
        if request["snapshot"] is not True:
            return {"error": 'ask for a snapshot with {"snapshot": true}'}
        return {"snapshot": game.snapshot()}
    try:
        game.restore(request["restore"])
    except SaveError as error:
        return {"error": str(error)}
    return _observation(game)


def _observation(game: Game) -> dict[str, Any]:
    return {**game.observation.to_dict(), "valid_commands": game.valid_commands}


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(type(value), "a number")


def _send(stdout: IO[str], answer: dict[str, Any]) -> None:
    stdout.write(json.dumps(answer) + "\n")
    stdout.flush()


def _leave(session: Session, stderr: IO[str]) -> None:
    notes = session.leave()
    if notes:
        stderr.write(plain(notes) + "\n")
