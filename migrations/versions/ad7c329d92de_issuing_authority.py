"""one issuing authority per document, one number per document

- ``units.document_prefix``: the prefix of the numbers of the documents a unit issues, the
  authority's short name (湘交 for the department, 长交, 株交, 潭交 … for the city bureaus, as
  ``accounts.issuers`` seeds them; copied here: a migration does not change with the code).
- ``issued_documents.prefix``: the issuer's and the kind's prefix of a document's number
  (湘交信列决, 长交信列决): serials count per prefix and year (``uq_issued_documents_prefix_year_serial``
  replaces the serial per kind and year).  Existing documents keep their numbers: their prefix is
  what their number begins with.
- ``issued_documents.issue_key``, unique: what makes two documents the same one (kind, record and
  content, as ``documents.operations.content_key`` computes it), so that two requests issuing a
  document at the same moment cannot take two numbers.  An existing document whose key another
  already holds (issued twice by such a race) gets a key of its own (``#id``): nothing is removed.
  Decision notices get their decision key when ``flask documents issue-missing`` adopts or issues
  them.
- ``list_entries.removal_reason`` takes ``blacklisted``: a red entry whose subject was put on the
  black list.

Revision ID: ad7c329d92de
Revises: e1dd35728ee7
Create Date: 2026-12-07 22:55:28.305769

"""
import hashlib

from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = 'ad7c329d92de'
down_revision = 'e1dd35728ee7'
branch_labels = None
depends_on = None

CITY_PREFIXES = {"长沙市": "长交", "株洲市": "株交", "湘潭市": "潭交", "衡阳市": "衡交", "邵阳市": "邵交",
                 "岳阳市": "岳交", "常德市": "常交", "张家界市": "张交", "益阳市": "益交", "郴州市": "郴交",
                 "永州市": "永交", "怀化市": "怀交", "娄底市": "娄交", "湘西州": "州交"}


def _prefix(kind: str, name: str) -> str:
    if kind != "city":
        return "湘交"
    place = name.removesuffix("交通运输局")
    return CITY_PREFIXES.get(place, place[:1] + "交")


def _key(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).hexdigest()


def _documents(bind) -> list[dict]:
    rows = bind.execute(sa.text("SELECT id, kind, record_type, record_id, record_key, content_hash, number "
                                "FROM issued_documents ORDER BY id")).all()
    taken, values = set(), []
    for id_, kind, record_type, record_id, record_key, digest, number in rows:
        ref = f"id:{record_id}" if record_key is None else f"key:{record_key}"
        key = _key("content", kind, record_type, ref, digest, "")
        if key in taken:
            key = _key("content", kind, record_type, ref, digest, f"#{id_}")
        taken.add(key)
        values.append({"id": id_, "key": key, "prefix": number.split("〔", 1)[0]})
    return values


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_prefix', sa.String(length=10), nullable=True))
    for unit_id, kind, name in bind.execute(sa.text("SELECT id, kind, name FROM units")).all():
        bind.execute(sa.text("UPDATE units SET document_prefix = :prefix WHERE id = :id"),
                     {"prefix": _prefix(kind, name), "id": unit_id})
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.alter_column('document_prefix', existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint(op.f("ck_units_document_prefix_not_blank"),
                                         "length(trim(document_prefix)) > 0")

    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prefix', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('issue_key', sa.String(length=64), nullable=True))
    for row in _documents(bind):
        bind.execute(sa.text("UPDATE issued_documents SET prefix = :prefix, issue_key = :key WHERE id = :id"), row)
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.alter_column('prefix', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('issue_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_issued_documents_kind_year_serial'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_issued_documents_issue_key'), ['issue_key'])
        batch_op.create_unique_constraint('uq_issued_documents_prefix_year_serial', ['prefix', 'year', 'serial'])

    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_entries_list_removal_reason'), type_='check')
        batch_op.alter_column('removal_reason', existing_type=sa.String(length=8), type_=sa.String(length=11),
                              existing_nullable=True)
        batch_op.create_check_constraint(op.f('ck_list_entries_list_removal_reason'),
                                         "removal_reason IN ('repaired', 'revoked', 'blacklisted')")


def downgrade():
    bind = op.get_bind()
    # A red entry removed because its subject was black-listed was revoked, in the older terms.
    bind.execute(sa.text("UPDATE list_entries SET removal_reason = 'revoked' WHERE removal_reason = 'blacklisted'"))
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_entries_list_removal_reason'), type_='check')
        batch_op.alter_column('removal_reason', existing_type=sa.String(length=11), type_=sa.String(length=8),
                              existing_nullable=True)
        batch_op.create_check_constraint(op.f('ck_list_entries_list_removal_reason'),
                                         "removal_reason IN ('repaired', 'revoked')")

    # Serials counted per kind and year again: this fails (and changes nothing) when two authorities
    # have issued the same kind's serial in one year (湘交信列决〔2026〕第0001号 and 长交信列决〔2026〕第0001号).
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.drop_constraint('uq_issued_documents_prefix_year_serial', type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_issued_documents_issue_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_issued_documents_kind_year_serial'), ['kind', 'year', 'serial'])
        batch_op.drop_column('issue_key')
        batch_op.drop_column('prefix')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_units_document_prefix_not_blank"), type_="check")
        batch_op.drop_column('document_prefix')
