"""PDF notices, the subject credit report and notice verification (PRODUCT §10, §12).

See ``registry.documents.kinds`` for how a package adds a notice kind, and
``registry.documents.report`` for how it adds a section to the credit report.
"""
