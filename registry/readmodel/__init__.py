"""What the public sees: the published records of subjects, as the public pages, the credit report
and the API read them (PRODUCT §2, §10, §11).  It sits above the domains it reads (listing,
disclosures, evaluations, cases) and below the aggregators that show it (public, api)."""
