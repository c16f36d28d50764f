# ruff: noqa: E501  (the 2019 list's Chinese task texts, kept whole as data)
"""Seed the 2019 task list of the department (湘交函〔2019〕276号) as the example year.

Each row: (number, goal, task, deadline or None for 常态化推进, the list's deadline wording,
lead unit code or None, responsible unit codes; "CITIES" stands for the 14 city bureaus).
Task 15 names no unit in the source; 法规处 is put down as its coordinator.  Tasks 20 and 21
share one row of the source (its units and its wording).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.accounts.models import Unit, UnitKind
from registry.accounts.seed import demo_user
from registry.core.seeding import demo_step, on_day, seed_step
from registry.extensions import db
from registry.ledger import operations as ops
from registry.ledger.models import Duty, LedgerAssignment, LedgerReport, LedgerTask

YEAR = 2019
ONGOING = "常态化推进"
JUNE, MAY, JULY = date(2019, 6, 30), date(2019, 5, 31), date(2019, 7, 31)
G1, G2, G3, G4, G5, G6, G7 = ("一、落实工作保障", "二、建设运维信用平台和网站", "三、加大信用信息归集力度",
                              "四、加强信用信息公开共享", "五、推进行业信用评价", "六、推进信用联合奖惩", "七、加强诚信文化建设")
BUSINESS = ["JJC", "JHC", "GHC", "LZC", "YSC", "AQC"]

TASKS_2019 = [
    (1, G1, "贯彻落实国省信用体系建设决策部署，发挥信用交通省创建领导小组作用，建立有效畅通的工作机制，定期研究创建工作，统筹指导，推动落实。",
     None, ONGOING, "FGC", ["FGC"]),
    (2, G1, "制发责任分解清单，明确责任单位和负责人员，建立年度工作台账，纳入内控管理，每月一报送，每季一通报。",
     None, ONGOING, "FGC", ["FGC", "BGS"]),
    (3, G1, "信用平台及网站建设运维、政策标准研究、培训、诚信宣传等经费纳入财政预算，为信用交通省建设提供经费保障，确保各项任务有效落实。",
     None, ONGOING, "FGC", ["CWC"]),
    (4, G2, "建成运行信用信息共享平台，在省内全面使用统一社会信用代码。充分利用我厅信息资源整合共享平台，全面对接全国交通运输信用信息共享平台、"
            "省信用信息共享平台及“信用湖南”网站，实现信息实时共享。", JUNE, "2019年6月", "KJC", ["KJC", "XXZX"]),
    (5, G2, "加强信用信息系统与业务系统对接融合，业务系统中嵌入红黑名单查询、信用信息校验等信用约束、信用监管模块等。",
     JUNE, "2019年6月", "FGC", ["FGC", "KJC", "XXZX"]),
    (6, G2, "网站功能模块齐全，设置联合奖惩模块、红黑名单管理模块、信用评价考核模块，提供查询交通运输从业主体的“双公示”信息、红黑名单、"
            "典型奖惩案例等内容。", JUNE, "2019年6月", None, ["XXZX"]),
    (7, G2, "加强信息安全保障建设，完成等保三级备案，定期开展安全评测。", JUNE, "2019年6月", None, ["XXZX"]),
    (8, G3, "结合本轮机构改革和行政权力调整，更新完善省级信用信息公开清单，完善省级和市州信用信息目录和共享需求目录。",
     JUNE, "2019年6月", "FGC", ["FGC", *BUSINESS, "CITIES"]),
    (9, G3, "制定《信用信息管理办法》，健全完善信用信息归集、共享、公开、考核、核查机制。", JUNE, "2019年6月", "FGC", ["FGC"]),
    (10, G3, "按照部省交换指标要求，归集本地区及所辖市县80%以上市场从业主体信用信息。完善行业信用记录和从业单位、从业人员信用档案，"
             "加快推进信用信息互联互通。", None, ONGOING, None, ["CITIES", *BUSINESS]),
    (11, G4, "按照部省交通运输信用信息交换要求，每月同步增量信息至部省信用平台，做到共享及时，内容完整。",
     JUNE, "2019年6月", "XXZX", ["XXZX", "CITIES", *BUSINESS]),
    (12, G4, "全面推进政务公开工作，依法公开与信用信息相关的政府信息。7个工作日内公示行政处罚及行政许可信息，每两周至少一次主动公开信用信息，"
             "及时发布制定的信用政策文件。做到每天维护，每周更新，每月评估完善。", None, ONGOING, None, ["CITIES", "BGS", *BUSINESS]),
    (13, G4, "加强信用信息核查，特别对于拟发布的失信案例和红黑名单要严格核查，避免因共享信用信息不准确、不及时，而引发行政诉讼、上访等重大问题。",
     None, ONGOING, None, ["CITIES", "JJC", "JHC", "GHC", "LZC", "YSC"]),
    (14, G5, "组织开展公路建设、水运工程建设、道路运输市场等领域的年度信用评价工作，启动行业安全生产信用评价，及时向社会公布评价结果，"
             "推送至“信用交通”网站和“信用湖南”网站。", MAY, "2019年5月", None, ["JJC", "JHC", "GHC", "CWC", "YSC", "AQC"]),
    (15, G5, "事前环节，探索推广信用承诺制和信用报告制度；事中环节，依据信用评价结果开展分类监管。在行政许可、政府采购、招投标等行政管理领域中，"
             "推广使用信用信息和信用产品。", None, ONGOING, None, ["FGC"]),
    (16, G6, "根据职能职责，更新完善本省联合惩戒的对象清单、措施清单。", JULY, "2019年7月", "FGC",
     ["FGC", "JJC", "JHC", "GHC", "YSC", "AQC"]),
    (17, G6, "按照公路治超、公路水路工程建设等交通运输联合奖惩备忘录的要求，定期向部报送严重超限超载责任主体信用信息和工程建设领域红黑名单有关信息。",
     None, ONGOING, None, ["JJC", "JHC", "GHC", "LZC"]),
    (18, G6, "根据联合奖惩备忘录和红黑名单，开展联合奖惩，每月上报不少于1个奖惩案例，以奖惩成效清单形式，上报共享至部省信用平台。",
     None, ONGOING, None, ["CITIES", "JJC", "JHC", "GHC", "YSC", "LZC", "AQC"]),
    (19, G6, "根据《交通运输守信联合激励和失信联合惩戒对象名单管理办法(试行)》等文件，完善异议处理和信用修复机制。举办信用修复培训会，"
             "主动约谈失信企业，协助被列入黑名单的失信主体开展信用修复，报送信用修复案例。", None, ONGOING, "FGC",
     ["FGC", "CITIES", "JJC", "JHC", "GHC", "LZC", "YSC"]),
    (20, G7, "开展“信用交通宣传月”主题活动，树好行业诚信典范，讲好交通“诚信故事”。", None, ONGOING, None,
     ["CITIES", "FGC", "YSC", "BGS"]),
    (21, G7, "结合诚信春运、诚信兴商宣传月、社会主义核心价值观主题实践教育月等主题活动，开展春运信用体系建设活动，加强成效宣传，"
             "积极营造诚实守信的良好氛围。", None, ONGOING, None, ["CITIES", "FGC", "YSC", "BGS"]),
    (22, G7, "加强公务员诚信教育，提升法律意识和诚信意识，带动全行业树立诚信意识、提高诚信水平。", None, ONGOING, None,
     ["CITIES", "RSC", "KJC"]),
    (23, G7, "开展交通运输信用体系建设培训。", None, "根据需求组织培训", None,
     ["CITIES", "FGC", "JJC", "JHC", "GHC", "YSC", "AQC"]),
]

# The tasks whose units carry a duty the registry checks (``ledger.duties``): task 12 (publish at
# least every two weeks) and task 18 (at least one joint case a month).
DUTIES_2019 = {12: Duty.PUBLICATION, 18: Duty.CASE_QUOTA}


@seed_step(80)
def seed_ledger_2019() -> None:
    """The 2019 list as the example year; skipped once any 2019 task exists (admins edit it)."""
    if db.session.scalar(sa.select(LedgerTask.id).where(LedgerTask.year == YEAR).limit(1)) is not None:
        return
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    cities = [u for u in units.values() if u.kind is UnitKind.CITY]
    for number, goal, title, deadline, wording, lead, codes in TASKS_2019:
        chosen: dict[int, Unit] = {}
        for code in codes:
            for unit in (cities if code == "CITIES" else [units.get(code)]):
                if unit is not None:
                    chosen[unit.id] = unit
        task = LedgerTask(year=YEAR, number=number, goal=goal, title=title, deadline=deadline, deadline_text=wording,
                          first_month=1, last_month=deadline.month if deadline else 12,
                          lead_unit_id=units[lead].id if lead in units else None, duty=DUTIES_2019.get(number))
        task.assignments = [LedgerAssignment(unit_id=unit_id) for unit_id in chosen]
        db.session.add(task)
    db.session.flush()


# Demo monthly reports of 基建处 on the 2019 list, made as they would have been in February 2019:
# (task number, month, progress, acknowledged on, amended on with the new text)
DEMO_REPORTS = [
    (8, 1, "已对照机构改革后的行政权力清单梳理基建领域信用信息目录，形成初稿，正在征求各市州意见。", None, None),
    (10, 1, "本月归集公路建设市场从业单位信用信息1,236条，覆盖率达82%，已全部推送至省信用平台。",
     date(2019, 2, 6), None),
    (12, 1, "本月在门户网站公示行政许可信息48条、行政处罚信息12条，均在7个工作日内完成公示。",
     date(2019, 2, 6), (date(2019, 2, 12), "更正：本月公示行政许可信息52条（补录4条）、行政处罚信息12条，均在7个工作日内完成公示。")),
]


@demo_step(70)
def demo_ledger_reports() -> None:
    """Reported, acknowledged by 法规处, and an amended report awaiting a new acknowledgement."""
    clerk, admin = demo_user("clerk@demo.hn"), demo_user("admin@demo.hn")
    if clerk is None or admin is None:
        return
    for number, month, progress, acknowledged_on, amendment in DEMO_REPORTS:
        assignment = db.session.scalar(
            sa.select(LedgerAssignment).join(LedgerTask)
            .where(LedgerTask.year == YEAR, LedgerTask.number == number, LedgerAssignment.unit_id == clerk.unit_id))
        if assignment is None or db.session.scalar(sa.select(LedgerReport.id).where(
                LedgerReport.assignment_id == assignment.id, LedgerReport.month == month)) is not None:
            continue
        with on_day(date(YEAR, month + 1, 1)):
            report = ops.submit_report(assignment, actor=clerk, month=month, progress=progress).report
        if acknowledged_on is not None:
            with on_day(acknowledged_on):
                ops.acknowledge_report(report, actor=admin, expected_revision=report.revision, comment="已阅。")
        if amendment is not None:
            with on_day(amendment[0]):
                ops.submit_report(assignment, actor=clerk, month=month, progress=amendment[1])
    db.session.flush()
