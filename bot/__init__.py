"""LINE side: the /callback webhook, event dispatch and reply building, and the local chat page.

Command line: `flask --app wsgi chat serve` (the blueprint's CLI group is `chat`).
"""
