"""Numbers as Dutch readers expect them in command output: 1.234.567 and 66,7%."""


def number(value) -> str:
    return "–" if value is None else f"{value:,}".replace(",", ".")


def percent(fraction) -> str:
    return "–" if fraction is None else f"{100 * fraction:.1f}%".replace(".", ",")


def decimal(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
