"""HTTP API for other city systems (the 防災 system ...): notices drafted with a token, then
approved in the admin like any other (views.py). Off unless NOTICE_API_TOKEN is set."""
