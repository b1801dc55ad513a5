"""Demo experts: researchers at the demo universities and institutes, plus some enterprise engineers."""

from techmarket.experts.models import Availability, Expert
from techmarket.orgs.models import Organization
from techmarket.reference.models import Discipline, Industry

from ..context import DemoContext
from ..topics import TOPICS
from ..vocab import SECTORS

EXPERTS_PER_RUN = 200
TITLES = ("教授", "研究员", "副教授", "副研究员", "高级工程师", "正高级工程师", "讲师", "工程师")


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    K = Organization.Kind
    academic = ctx.orgs[K.UNIVERSITY] + ctx.orgs[K.INSTITUTE]
    enterprises = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == Organization.Status.APPROVED]
    sectors = {s.key: s for s in SECTORS}
    disciplines = {d.pk: d for d in Discipline.objects.all()}
    industries = {i.pk: i for i in Industry.objects.filter(level=2)}
    experts, links = [], []
    for index in range(EXPERTS_PER_RUN):
        topic = TOPICS[index % len(TOPICS)]
        sector = sectors[topic.sector]
        affiliation = rng.choice(academic) if index % 5 else rng.choice(enterprises)
        name = ctx.person_name()
        fields = "、".join(rng.sample(topic.keywords, k=min(3, len(topic.keywords))))
        expert = Expert(
            name=name, affiliation=affiliation, title=rng.choice(TITLES[:6] if affiliation in academic else TITLES[4:]),
            research_fields=f"{topic.subject}；{fields}",
            bio=f"长期从事{topic.subject}研究，主持省部级以上项目 {rng.randint(2, 12)} 项，"
                f"授权发明专利 {rng.randint(3, 30)} 件，在{rng.choice(topic.problems)}方面有系统积累。",
            availability=rng.sample([a.value for a in Availability], k=rng.randint(1, 3)),
            panel_eligible=rng.random() < 0.3,
            email=f"expert{index + 1:03d}@example.edu.cn", phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            external_key=f"DEMO-E{index + 1:04d}",
        )
        experts.append(expert)
        links.append(([disciplines[c] for c in sector.disciplines if c in disciplines],
                      [industries[c] for c in sector.industries if c in industries], topic))
    Expert.objects.bulk_create(experts, batch_size=200)
    for expert, (ds, inds, _topic) in zip(experts, links, strict=True):
        expert.disciplines.set(ds)
        expert.industries.set(rng.sample(inds, k=min(2, len(inds))))
    demo_user = ctx.users["demo_expert"]
    first = next(e for e in experts if e.affiliation_id == demo_user.memberships.first().organization_id)
    first.user, first.name = demo_user, demo_user.real_name
    first.save(update_fields=["user", "name"])
    ctx.experts = experts
    ctx.notes.append(f"专家 {len(experts)} 位")
