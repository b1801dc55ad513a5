"""Demo experts: researchers at the demo universities and institutes, plus some enterprise engineers."""

from techmarket.experts.models import Availability, Expert
from techmarket.orgs.models import Organization
from techmarket.reference.models import Discipline, Industry

from ..context import DemoContext
from ..topics import FACTS, TOPICS
from ..vocab import SECTORS

EXPERTS_PER_RUN = 200
BIOS = (
    "长期从事{subject}研究，主持省部级以上项目 {projects} 项，授权发明专利 {patents} 件，在{problem}方面有系统积累。",
    "从事{keyword}方向研究 {years} 年，曾在企业担任技术负责人，主导{subject}产线改造，熟悉中试放大。",
    "{subject}领域青年骨干，承担横向课题十余项，擅长{keyword}；愿以兼职或项目合作方式服务企业。",
    "研究方向为{keyword}与{subject}，获省科技进步奖，带领团队为{projects} 家企业解决过{problem}等问题。",
)
TITLES = ("教授", "研究员", "副教授", "副研究员", "高级工程师", "正高级工程师", "讲师", "工程师")


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    K = Organization.Kind
    academic = [
        o for kind in (K.UNIVERSITY, K.INSTITUTE, K.INDUSTRY_INSTITUTE, K.NEW_RD) for o in ctx.orgs[kind]
    ]
    enterprises = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == Organization.Status.APPROVED]
    sectors = {s.key: s for s in SECTORS}
    disciplines = {d.pk: d for d in Discipline.objects.all()}
    industries = {i.pk: i for i in Industry.objects.filter(level=2)}
    experts, links = [], []
    for index in range(EXPERTS_PER_RUN):
        topic = TOPICS[index % len(TOPICS)]
        sector = sectors[topic.sector]
        pool = academic if index % 5 else enterprises
        in_field = (
            [o for o in pool if topic.sector in ctx.sectors.get(o.pk, frozenset())]
            or [o for o in academic if topic.sector in ctx.sectors.get(o.pk, frozenset())]
            or academic
        )
        affiliation = rng.choice(in_field)
        name = ctx.person_name()
        fields = "、".join(rng.sample(topic.keywords, k=min(3, len(topic.keywords))))
        expert = Expert(
            name=name,
            affiliation=affiliation,
            title=rng.choice(TITLES[:6] if affiliation in academic else TITLES[4:]),
            research_fields=f"{topic.subject}；{fields}",
            bio=rng.choice(BIOS).format(
                subject=topic.subject,
                projects=rng.randint(2, 12),
                patents=rng.randint(3, 30),
                problem=rng.choice(topic.problems),
                keyword=rng.choice(topic.keywords),
                years=rng.randint(8, 30),
            ),
            availability=rng.sample([a.value for a in Availability], k=rng.randint(1, 3)),
            panel_eligible=rng.random() < 0.3,
            email=f"expert{index + 1:03d}@example.edu.cn",
            phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            external_key=f"DEMO-E{index + 1:04d}",
        )
        experts.append(expert)
        facts = FACTS[topic.subject]
        links.append(
            (
                [
                    disciplines[c]
                    for c in dict.fromkeys([facts.discipline, *sector.disciplines[:1]])
                    if c in disciplines
                ],
                [industries[facts.industry]] if facts.industry in industries else [],
                topic,
            )
        )
    Expert.objects.bulk_create(experts, batch_size=200)
    for expert, (ds, inds, _topic) in zip(experts, links, strict=True):
        expert.disciplines.set(ds)
        expert.industries.set(inds)
    demo_user = ctx.users["demo_expert"]
    first = next(e for e in experts if e.affiliation_id == demo_user.memberships.first().organization_id)
    first.user, first.name = demo_user, demo_user.real_name
    first.save(update_fields=["user", "name"])
    ctx.experts = experts
    ctx.notes.append(f"专家 {len(experts)} 位")
