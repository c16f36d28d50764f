"""gunicorn's settings for the registry (README, Deployment):

    gunicorn -c python:registry.gunicorn_config --workers 4 … wsgi:app

- with ``REGISTRY_LOG_FORMAT=json`` gunicorn's own lines (start, workers booting and exiting,
  timeouts) are JSON objects like the application's, and gunicorn's access log is off: the
  application writes one access line per request, with its request id;
- a graceful reload (``kill -HUP <master pid>``) starts new workers with the new code and the
  new settings, then lets the old ones finish what they are answering within ``graceful_timeout``:
  no request fails.  The application is not preloaded in the master, so the new workers really
  load the new code.
"""

import os

from registry.core.logs import gunicorn_logconfig

logconfig_dict = gunicorn_logconfig(os.environ.get("REGISTRY_LOG_FORMAT", "text"))
graceful_timeout = 30
preload_app = False
