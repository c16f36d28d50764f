"""Credit repair (信用修复): ending a black list entry or a published penalty early (PRODUCT §7).

Built on ``registry.applications.models``: the same receipt, access code, files, handling steps and
four-eyes decision, with eligibility checked before anything is stored.
"""
