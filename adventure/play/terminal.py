"""The terminal front end: prompt_toolkit with completion, history, a status bar, styled text."""

from __future__ import annotations

import os

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.styles import BaseStyle, Style, merge_styles

from adventure.core.output import Output, layout
from adventure.play.lines import GOODBYE, terminal_columns
from adventure.play.session import Session
from adventure.play.stopping import Stopped

HISTORY_FILE = ".history"  # beside the saves, where no save name can reach

STYLE = Style.from_dict(
    {
        "title": "bold #e05050",
        "ending": "bold #e05050",
        "choice": "#8fb8ff",
        "choice-off": "#707070",
        "heading": "bold",
        "note": "italic #a0a0a0",
        "error": "#ffb050",
        "prompt": "bold #e05050",
        "bottom-toolbar": "noreverse bg:#301010 #f0d0d0",
    }
)
# Without colours a coloured bar would vanish into the screen: reverse video keeps it in sight.
PLAIN_TOOLBAR = Style.from_dict({"bottom-toolbar": "reverse"})


def _style() -> BaseStyle:
    return merge_styles([STYLE, PLAIN_TOOLBAR]) if os.environ.get("NO_COLOR") else STYLE


def _keys() -> KeyBindings:
    """Ctrl-C clears a line being typed, as shells do; on an empty line it leaves the game."""
    keys = KeyBindings()

    @keys.add("c-c")
    def _interrupt(event: KeyPressEvent) -> None:
        buffer = event.app.current_buffer
        if buffer.text:
            buffer.reset()
        else:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return keys


def show(output: Output) -> None:
    if not output:
        return
    width = min(terminal_columns() - 1, 100)
    fragments: list[tuple[str, str]] = [("", "\n")]
    for style, text in layout(output, width):
        fragments.append((f"class:{style}" if style else "", text + "\n"))
    print_formatted_text(FormattedText(fragments), style=_style())


def _history(session: Session) -> History:
    """Commands typed in earlier games, kept beside the saves; in memory only if that folder cannot be made."""
    if session.store is None:
        return InMemoryHistory()
    try:
        session.store.folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(session.store.folder / HISTORY_FILE))


def play_terminal(session: Session, opening: Output) -> int:
    """Play in a real terminal until the player quits, presses Ctrl-D or Ctrl-C."""

    def toolbar() -> FormattedText:
        parts = [session.status().title, *session.status_parts(), f"turn {session.state.turn}", "? for help"]
        return FormattedText([("", " " + "  |  ".join(parts) + " ")])

    prompt: PromptSession[str] = PromptSession(
        completer=WordCompleter(session.completions, ignore_case=True, sentence=True),
        history=_history(session),
        bottom_toolbar=toolbar,
        style=_style(),
        complete_while_typing=False,
        key_bindings=_keys(),
        enable_suspend=True,  # Ctrl-Z stops the game where the shell has job control; `fg` brings it back
    )
    try:
        show(opening)
        while True:
            try:
                line = prompt.prompt([("class:prompt", "> ")])
            except (EOFError, KeyboardInterrupt):
                show(session.leave())  # Ctrl-D or Ctrl-C: the game is kept all the same
                break
            reply = session.handle(line)
            if reply.output:
                show(reply.output)
            if reply.quit:
                break
    except Stopped as stop:
        session.leave()  # the terminal closed, or we were told to stop: keep the game, say nothing
        return stop.exit_code
    print_formatted_text(FormattedText([("class:note", GOODBYE)]), style=_style())
    return 0
