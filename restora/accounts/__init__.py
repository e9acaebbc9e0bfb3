"""Accounts, without the web: the users and email-code tables, the password and username rules, and the
operations the site and ``restora user`` share (create, list, disable, enable, end sessions).

Nothing here imports Flask, so the command line manages accounts without loading the site. Texts meant
for a person are English, marked with ``N_`` for the one catalogue; the site translates them where it
shows them (``restora.web.forms.translated``).
"""
