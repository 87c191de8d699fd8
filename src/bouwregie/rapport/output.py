"""One report in a chosen format: the PDF or the workbook, with the file name every entry point gives it."""

FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(content: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        from bouwregie.rapport import pdf

        return pdf.render(content)
    if fmt == "xlsx":
        from bouwregie.rapport import workbook

        return workbook.render(content)
    raise ValueError(f"Onbekend formaat '{fmt}'; kies pdf of xlsx.")


def filename(content: dict, fmt: str) -> str:
    return f"rapport-{content['area']['code']}-{content['peiling']}-{content['audience']}-{content['language']}.{fmt}"
