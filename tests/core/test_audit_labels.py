"""The audit history shows readable actions and states, with the code kept as a tooltip."""

from registry.core.labels import action_label, state_label


def test_actions_are_named_by_their_verb():
    assert action_label("list_entry.approve") == "approved"
    assert action_label("objection.request_material") == "more material requested"
    assert action_label("something.unknown_verb") == "something.unknown_verb"
    # issue 29's actions
    assert action_label("list_entry.remove_blacklisted") == "left the red list: put on the black list"
    assert action_label("document.issue_missing") == "missing decision notices issued"


def test_states_use_the_package_labels_then_the_code():
    assert state_label("list_entry", "in_publicity") == "In publicity"
    assert state_label("list_entry", "no_such_state") == "no_such_state"
    assert state_label("list_entry", None) == "—"


def test_history_table_shows_chinese_labels(app, client, login, make):
    from registry.core.audit import record_event

    officer = login("clerk")
    subject = make.subject()
    record_event("subject.create", actor=officer, obj=subject, from_state="draft", to_state="pending_review")
    html = client.get(f"/officer/subjects/{subject.id}").get_data(as_text=True)
    assert "创建" in html and 'title="subject.create"' in html
