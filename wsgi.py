"""The WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from registry import create_app

app = create_app()

# Everything made while loading the app (modules, the URL map, SQLAlchemy's mappers, the
# translation catalogues: ~190,000 objects) lives as long as the worker.  Freezing it keeps the
# cyclic garbage collector from walking it again on every full collection, which otherwise took
# ~100 ms of one request in every few hundred (measured on the public search page).
gc.freeze()
