"""Errors a user can act on: each prints as one line naming where and what to do."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a file, sheet, row or column the toolkit cannot use.

    Attributes:
        message: What is wrong, in plain words.
        file: The file as the user named it (case.toml path or source path).
        sheet: Worksheet name, where there is one.
        row: Row number as a spreadsheet program shows it.
        column: Column header or letter.
        hint: What the user can do about it.

    Example:
        >>> str(InputError("no date column found", file="police.csv", row=1,
        ...                hint="name it in [sources.columns] date = ..."))
        'police.csv, row 1: no date column found; name it in [sources.columns] date = ...'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self.line())

    def where(self) -> str:
        """The location part of the line: "file, sheet 'S', row N, column 'C'"."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def line(self) -> str:
        """The whole one-line message."""
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"; {self.hint}"
        return " ".join(text.split())


class ConfigError(InputError):
    """A problem in case.toml or a file beside it (overrides, decisions)."""
