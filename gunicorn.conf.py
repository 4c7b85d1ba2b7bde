"""gunicorn's settings for the portal in production (README, "Running in production"):
``gunicorn --config gunicorn.conf.py --workers 4 --bind 127.0.0.1:8000 "partnership:create_app()"``.

A sync worker tells gunicorn it is alive only between requests, so a response that takes
longer than ``timeout`` to send is cut short: the worker is killed half way through the
file. gunicorn's default, 30 seconds, is shorter than the longest download, a year's
record-level sightings CSV of a county (about a million rows, 110 MB), which is streamed
as it is read and so lasts as long as the reader's connection needs to take it in: about 20
seconds to make, and minutes on a slow line. Five minutes lets that file reach a reader on a
line of 3 Mbit/s or more, while a worker that really hangs is still replaced
(docs/decisions.md, "Reports").
"""

# Seconds a worker may spend on one request before gunicorn kills and replaces it.
timeout = 300
