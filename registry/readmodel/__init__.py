"""What the public sees: the published records of subjects, as the public pages and the API read
them (SPEC §2, §10, §11).  It sits above the domains it reads (listing, disclosures, evaluations)
and below the aggregators that show it (public, api)."""
