"""Backup and restore of the whole database, with a check that the restored history is complete.

One room, one job (DESIGN.md, Layout): `bouwregie backup` writes one archive (a zip holding the database
copy, a manifest and the user's own profiles, regelingen and convenant frameworks); `bouwregie restore` puts it
back and checks the result against the manifest. It reads every other room (projects' history, monitor figures) and
writes none of them. See docs/backup.md.
"""
