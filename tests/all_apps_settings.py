"""Our settings under another name: `bouwregie monitor` and `delays` set up only the apps they read when run with
`bouwregie.settings` (cli.QUERY_APPS), and every app under any other settings module, so this one gives the full
set to compare them with (tests/test_cli_end_to_end.py)."""

from bouwregie.settings import *  # noqa: F403
