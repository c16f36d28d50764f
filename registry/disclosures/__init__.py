"""双公示: administrative licensing and penalty disclosures (PRODUCT §4)."""
