"""Schemathesis hooks of the contract test (loaded through SCHEMATHESIS_HOOKS, in .venv-contract)."""

import schemathesis

# A check character, or a feed cursor ahead of the feed's head: what no pattern can say.
IDENTIFIER_REFUSALS = {"invalid_identifier", "invalid_identifiers", "cursor_ahead"}


@schemathesis.check
def only_identifier_refusals(ctx, response, case):
    """Schema-valid data is refused (400) only for what the schema cannot say: a check character.

    schemathesis.toml lets positive data of the identifier operations be answered 400; this keeps
    that allowance to the identifier refusal, so a valid limit or cursor refused still fails.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    code = response.json().get("code")
    if code not in IDENTIFIER_REFUSALS:
        raise AssertionError(f"Schema-valid request refused with 400 {code}")
    return None
