"""Aligned text tables for command output (issue #23: `sok show` and `convenant cijfers` printed raw JSON; the
JSON stays behind --json). Plain columns, text left and figures right, so a reader scans a column at once."""


def tabel(headers: list[str], rows: list[list], right: frozenset[int] | set[int] = frozenset()) -> list[str]:
    """The lines of a table: a header, a rule, the rows; every cell as text ('–' for None); columns in `right`
    aligned right (amounts, numbers), the others left. Widths from the widest cell."""
    cells = [[str(h) for h in headers]] + [["–" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    return [line(cells[0]), "  ".join("-" * w for w in widths)] + [line(row) for row in cells[1:]]
