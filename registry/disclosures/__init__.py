"""双公示: administrative licensing and penalty disclosures (SPEC §4)."""
