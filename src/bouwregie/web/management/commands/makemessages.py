"""`bouwregie makemessages`: Django's, without gettext's fuzzy guesses (issue #22).

msgmerge normally fills a new msgid with the translation of a similar old one and flags it fuzzy; a fuzzy
entry is left out of the .mo, so the page silently stays Dutch while the .po looks translated. Here a new
text arrives with an empty msgstr, which tests/test_translations.py reports until a translator fills it
(Django documents subclassing the command for msgmerge_options). `make messages` runs this, then
compilemessages.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
