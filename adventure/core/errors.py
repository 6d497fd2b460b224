"""One error hierarchy: every error a user can cause knows how to show itself and its exit code."""

from __future__ import annotations

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with a story, at a place an author can jump to."""

    file: str
    line: int  # 1-based; 0 when the problem is about a whole file
    column: int  # 1-based; 0 when unknown
    message: str
    severity: str = "error"  # or "warning"
    code: str = ""  # a short name of the kind of problem, for tools (`check --json`)

    def format(self) -> str:
        place = self.file
        if self.line:
            place += f":{self.line}"
            if self.column:
                place += f":{self.column}"
        return f"{place}: {self.severity}: {self.message}"


class AdventureError(Exception):
    """A mistake of the user's (a bad file, a bad argument), never a bug of ours."""

    exit_code = 1

    def show(self) -> str:
        return f"adventure: {self}"


class UsageError(AdventureError):
    exit_code = 2


class StoryError(AdventureError):
    """The story folder cannot be played; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], where: str) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        self.where = where
        super().__init__(f"{len(self.problems)} problems in {where}")

    def show(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [p.format() for p in self.problems]
        count = len(errors)
        lines.append(f"{count} error{'s' if count != 1 else ''} in {self.where}")
        return "\n".join(lines)
