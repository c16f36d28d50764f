"""Demo subjects: firms, practitioners and vehicles with valid identifiers."""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.identifiers import SubjectKind, region_code, resident_id_check_digit, uscc_check_character
from registry.core.seeding import demo_step
from registry.extensions import db
from registry.subjects.models import Subject

DEMO_FIRMS = [
    ("430100", "湖南路桥建设集团有限公司", "刘建国"),
    ("430100", "长沙市通达公路工程有限公司", "王立新"),
    ("430200", "株洲宏远交通建设有限公司", "陈志强"),
    ("430300", "湘潭港航水运工程有限公司", "李红"),
    ("430400", "衡阳顺达运输有限公司", "张勇"),
    ("430500", "邵阳市快捷物流有限公司", "黄伟"),
    ("430600", "岳阳洞庭航道工程有限公司", "周明"),
    ("430700", "常德市安顺客运有限公司", "吴刚"),
    ("430800", "张家界旅游客运有限责任公司", "郑华"),
    ("430900", "益阳市诚信路面工程有限公司", "孙涛"),
    ("431000", "郴州市畅通隧道工程有限公司", "马俊"),
    ("431100", "永州市恒通货运有限公司", "朱斌"),
    ("431200", "怀化市大道桥梁建设有限公司", "胡军"),
    ("431300", "娄底市鑫达土石方工程有限公司", "郭亮"),
    ("433100", "湘西州山路交通建设有限公司", "何平"),
    ("430100", "湖南省交通规划勘察设计院有限公司", "高远"),
    ("430100", "湖南星沙港务有限公司", "林峰"),
    ("430100", "长沙湘江危险货物运输有限公司", "罗斌"),
    # Added for a believable demo (after the first 18, whose codes stay as they were):
    # construction firms, so that each list entry, objection and repair concerns a firm of its trade.
    ("430100", "湖南湘通高速公路工程有限公司", "谢文"),
    ("430100", "湖南中路华程桥梁建设有限公司", "唐浩"),
    ("430400", "衡阳市衡通路桥工程有限公司", "邓辉"),
    ("430500", "邵阳市宝庆公路建设有限公司", "曾凡"),
    ("430700", "常德市德建交通工程有限公司", "彭涛"),
    ("430600", "岳阳市巴陵路面工程有限公司", "蒋磊"),
    ("431100", "永州市潇湘公路养护工程有限公司", "廖军"),
    ("430800", "张家界市武陵公路建设有限公司", "田勇"),
    ("431300", "娄底市湘中交通建设有限公司", "钟鸣"),
    ("430300", "湘潭市昭山公路工程有限公司", "贺斌"),
    ("430900", "益阳市银城路桥有限公司", "汤建"),
]
DEMO_PERSONS = [
    ("430102", "19800315", "王建军"), ("430203", "19751122", "李德明"), ("430304", "19880708", "张小红"),
    ("430405", "19900101", "刘志远"), ("430521", "19830520", "陈海涛"), ("430602", "19791010", "杨帆"),
    ("430702", "19920229", "赵敏"), ("430802", "19860606", "彭国强"),
]
DEMO_PLATES = ["湘A12345", "湘B8K765", "湘C3E211", "湘D66789", "湘F5G432", "湘AD12345"]


def demo_uscc(region: str, serial: int) -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


def demo_resident_id(region: str, birth: str, serial: int) -> str:
    body = f"{region}{birth}{serial:03d}"
    return body + resident_id_check_digit(body)


def _add(kind: SubjectKind, identifier: str, name: str, **extra) -> Subject:
    subject = db.session.scalar(sa.select(Subject).where(Subject.identifier == identifier))
    if subject is None:
        subject = Subject(
            kind=kind, identifier=identifier, name=name, region_code=region_code(kind, identifier), **extra
        )
        db.session.add(subject)
        db.session.flush()
    return subject


@demo_step(20)
def demo_subjects() -> None:
    firms = [
        _add(SubjectKind.ORGANISATION, demo_uscc(region, serial), name, legal_representative=rep)
        for serial, (region, name, rep) in enumerate(DEMO_FIRMS, start=1001)
    ]
    for serial, (region, birth, name) in enumerate(DEMO_PERSONS, start=101):
        _add(SubjectKind.PERSON, demo_resident_id(region, birth, serial), name)
    for index, plate in enumerate(DEMO_PLATES):
        _add(SubjectKind.VEHICLE, plate, plate, owner=firms[4 + index])
