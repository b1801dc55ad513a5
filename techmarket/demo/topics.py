"""Technical topics per sector for demo needs, achievements and experts (written by us).

Each topic: a product or process, the properties that matter (indicator, target, unit), typical
problems, and keywords. Builders combine them into plausible, varied Chinese texts.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    sector: str
    subject: str
    properties: tuple[tuple[str, str, str], ...]
    problems: tuple[str, ...]
    keywords: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "materials",
        "磷酸铁锂正极材料",
        (("-20℃放电容量保持率", "≥85", "%"), ("压实密度", "≥2.5", "g/cm³"), ("循环寿命", "≥4000", "次")),
        ("低温下容量衰减明显", "批次一致性差", "碳包覆不均匀导致倍率性能不足"),
        ("锂电池", "正极材料", "碳包覆", "低温性能"),
    ),
    Topic(
        "materials",
        "碳化硅陶瓷膜",
        (("孔径", "50–200", "nm"), ("纯水通量", "≥800", "L/(m²·h·bar)"), ("烧结温度", "≤1500", "℃")),
        ("烧结能耗高", "膜层易开裂", "支撑体成本高"),
        ("陶瓷膜", "碳化硅", "低温烧结", "污水处理"),
    ),
    Topic(
        "materials",
        "玄武岩纤维复合材料",
        (("拉伸强度", "≥2000", "MPa"), ("耐温", "≥400", "℃")),
        ("纤维与树脂界面结合弱", "拉丝漏板寿命短"),
        ("玄武岩纤维", "复合材料", "界面改性"),
    ),
    Topic(
        "chemicals",
        "水性聚氨酯涂料",
        (("VOC含量", "≤50", "g/L"), ("耐盐雾", "≥1000", "h"), ("附着力", "1", "级")),
        ("耐水性不如溶剂型", "低温成膜困难", "固含量偏低"),
        ("水性涂料", "聚氨酯", "防腐", "低VOC"),
    ),
    Topic(
        "chemicals",
        "高纯电子级氢氟酸",
        (("金属杂质", "≤10", "ppt"), ("颗粒数(≥0.1μm)", "≤100", "个/mL")),
        ("痕量金属难以去除", "包装材料析出污染"),
        ("电子化学品", "氢氟酸", "提纯", "半导体"),
    ),
    Topic(
        "chemicals",
        "废催化剂贵金属回收",
        (("钯回收率", "≥98", "%"), ("废水排放", "≤0.5", "t/t")),
        ("回收流程长、酸耗大", "载体残留影响纯度"),
        ("贵金属回收", "钯", "湿法冶金", "循环经济"),
    ),
    Topic(
        "biomed",
        "缓释微球注射剂",
        (("包封率", "≥90", "%"), ("突释率(24h)", "≤10", "%")),
        ("突释严重", "粒径分布宽", "规模化制备重现性差"),
        ("微球", "缓释制剂", "PLGA", "注射剂"),
    ),
    Topic(
        "biomed",
        "中药配方颗粒",
        (("指纹图谱相似度", "≥0.9", ""), ("溶化性", "≤5", "min")),
        ("批间质量波动", "标准汤剂对应性差"),
        ("中药配方颗粒", "质量标准", "指纹图谱"),
    ),
    Topic(
        "biomed",
        "医用可降解镁合金骨钉",
        (("降解周期", "6–12", "月"), ("屈服强度", "≥200", "MPa")),
        ("降解过快产生气体", "力学性能衰减快"),
        ("可降解金属", "镁合金", "骨科植入物", "表面涂层"),
    ),
    Topic(
        "agrifood",
        "果蔬预冷保鲜",
        (("货架期延长", "≥7", "天"), ("失重率", "≤3", "%")),
        ("采后损耗大", "冷链断链导致腐烂"),
        ("预冷", "保鲜", "冷链", "果蔬"),
    ),
    Topic(
        "agrifood",
        "花生蛋白深加工",
        (("蛋白纯度", "≥90", "%"), ("溶解度", "≥85", "%")),
        ("蛋白变性率高", "副产物利用率低"),
        ("花生蛋白", "酶解", "功能性食品"),
    ),
    Topic(
        "agrifood",
        "畜禽粪污资源化",
        (("有机质含量", "≥45", "%"), ("发酵周期", "≤15", "天")),
        ("发酵周期长、臭气重", "重金属残留"),
        ("有机肥", "好氧发酵", "资源化利用"),
    ),
    Topic(
        "equipment",
        "数控机床主轴",
        (("径向跳动", "≤2", "μm"), ("最高转速", "≥15000", "r/min")),
        ("高速下温升大导致精度漂移", "轴承寿命短"),
        ("主轴", "热变形补偿", "数控机床", "精度"),
    ),
    Topic(
        "equipment",
        "新能源商用车电驱桥",
        (("峰值效率", "≥96", "%"), ("NVH噪声", "≤75", "dB(A)")),
        ("高速啸叫", "散热不足"),
        ("电驱桥", "新能源汽车", "齿轮降噪", "热管理"),
    ),
    Topic(
        "equipment",
        "工业机器人视觉分拣",
        (("识别准确率", "≥99.5", "%"), ("节拍", "≤1.5", "s/件")),
        ("反光件识别困难", "换型调试周期长"),
        ("机器视觉", "分拣", "深度学习", "工业机器人"),
    ),
    Topic(
        "electronics",
        "功率半导体模块封装",
        (("热阻", "≤0.15", "K/W"), ("功率循环", "≥50000", "次")),
        ("焊层空洞率高", "键合线疲劳失效"),
        ("IGBT", "封装", "银烧结", "散热"),
    ),
    Topic(
        "electronics",
        "工业互联网数据采集网关",
        (("协议兼容", "≥30", "种"), ("采集时延", "≤10", "ms")),
        ("老旧设备协议杂", "边缘侧算力不足"),
        ("工业互联网", "边缘计算", "数据采集"),
    ),
    Topic(
        "electronics",
        "光伏组件缺陷检测",
        (("漏检率", "≤0.1", "%"), ("检测速度", "≥1", "块/s")),
        ("隐裂难以识别", "误检率高"),
        ("光伏", "EL检测", "缺陷识别", "机器视觉"),
    ),
    Topic(
        "wood",
        "无醛生态板材",
        (("甲醛释放量", "≤0.025", "mg/m³"), ("静曲强度", "≥30", "MPa")),
        ("无醛胶黏剂成本高", "耐水性不足"),
        ("无醛胶", "生态板", "大豆蛋白胶", "人造板"),
    ),
    Topic(
        "wood",
        "木材阻燃改性",
        (("氧指数", "≥32", "%"), ("阻燃剂流失率", "≤5", "%")),
        ("阻燃剂易迁移析出", "处理后强度下降"),
        ("阻燃", "木材改性", "浸渍"),
    ),
    Topic(
        "logistics",
        "冷链仓储能耗优化",
        (("单位能耗下降", "≥20", "%"), ("温度波动", "≤±0.5", "℃")),
        ("冷库能耗高", "温度场不均匀"),
        ("冷链", "冷库", "节能", "温度监控"),
    ),
    Topic(
        "logistics",
        "物流园区智能调度",
        (("车辆周转效率提升", "≥25", "%"), ("调度响应", "≤5", "s")),
        ("高峰期拥堵", "装卸口分配靠人工"),
        ("智能调度", "物流园区", "运筹优化"),
    ),
    Topic(
        "steel",
        "高端不锈钢精密带材",
        (("厚度公差", "≤±2", "μm"), ("表面粗糙度Ra", "≤0.05", "μm")),
        ("板形控制难", "表面缺陷多"),
        ("不锈钢", "精密带材", "冷轧", "板形控制"),
    ),
    Topic(
        "steel",
        "耐磨铸钢件",
        (("硬度", "≥55", "HRC"), ("冲击韧性", "≥15", "J/cm²")),
        ("硬度与韧性难兼顾", "铸造缺陷多"),
        ("耐磨钢", "热处理", "铸造"),
    ),
)

NEED_TITLES = (
    "提升{subject}{prop}",
    "{subject}{prop}优化技术",
    "{subject}关键技术攻关",
    "{subject}国产化替代",
    "{subject}工艺改进与降本增效",
)
ACHIEVEMENT_VERBS = ("一种", "新型", "高性能", "低成本", "绿色")
BACKGROUNDS = (
    "公司主营{subject}相关产品，年产值约 {revenue} 亿元，下游客户对性能提出了更高要求。",
    "随着行业标准升级，现有{subject}产品在{problem}方面已难以满足客户需求。",
    "公司已建成中试线一条，但{problem}，制约了产能释放和高端市场开拓。",
)


@dataclass(frozen=True)
class TopicFacts:
    """What follows from a topic: its GB/T 4754 division, GB/T 13745 discipline and, where one fits, the
    demo chain and link it belongs to. Codes are chosen per topic, never per sector, so that IGBT
    packaging is electronics manufacturing (39), not software."""

    industry: str
    discipline: str
    chain: tuple[str, str] | None = None


FACTS: dict[str, TopicFacts] = {
    "磷酸铁锂正极材料": TopicFacts("38", "430", ("新能源商用车", "动力电池")),
    "碳化硅陶瓷膜": TopicFacts("30", "430"),
    "玄武岩纤维复合材料": TopicFacts("30", "430"),
    "水性聚氨酯涂料": TopicFacts("26", "530", ("高端化工新材料", "涂料与胶黏剂")),
    "高纯电子级氢氟酸": TopicFacts("26", "530", ("高端化工新材料", "专用化学品")),
    "废催化剂贵金属回收": TopicFacts("42", "610"),
    "缓释微球注射剂": TopicFacts("27", "350", ("生物医药", "化学制剂")),
    "中药配方颗粒": TopicFacts("27", "360", ("生物医药", "现代中药")),
    "医用可降解镁合金骨钉": TopicFacts("35", "430", ("生物医药", "医疗器械")),
    "果蔬预冷保鲜": TopicFacts("13", "550", ("绿色果蔬加工", "预冷保鲜")),
    "花生蛋白深加工": TopicFacts("14", "550"),
    "畜禽粪污资源化": TopicFacts("26", "210"),
    "数控机床主轴": TopicFacts("34", "460"),
    "新能源商用车电驱桥": TopicFacts("36", "580", ("新能源商用车", "电驱电控")),
    "工业机器人视觉分拣": TopicFacts("34", "520"),
    "功率半导体模块封装": TopicFacts("39", "510", ("新能源商用车", "电驱电控")),
    "工业互联网数据采集网关": TopicFacts("39", "520"),
    "光伏组件缺陷检测": TopicFacts("40", "510"),
    "无醛生态板材": TopicFacts("20", "220", ("绿色板材与智能家居", "生态板材")),
    "木材阻燃改性": TopicFacts("20", "220", ("绿色板材与智能家居", "生态板材")),
    "冷链仓储能耗优化": TopicFacts("59", "580", ("商贸物流", "冷链配送")),
    "物流园区智能调度": TopicFacts("58", "630", ("商贸物流", "物流园区与仓储")),
    "高端不锈钢精密带材": TopicFacts("31", "450", ("高端不锈钢与先进特钢", "精密带材轧制")),
    "耐磨铸钢件": TopicFacts("33", "450", ("高端不锈钢与先进特钢", "装备结构件")),
}


def topics_of(sectors: set[str] | frozenset[str]) -> list[Topic]:
    return [t for t in TOPICS if t.sector in sectors]


# Technology needs: several title and summary shapes, so that lists do not read like one template.
TECH_TITLES = (
    "提升{subject}{prop}",
    "{subject}{prop}优化技术",
    "{subject}关键技术攻关",
    "{subject}国产化替代",
    "{subject}工艺改进与降本增效",
    "解决{subject}{problem_short}难题",
    "{subject}{prop}达标技术合作",
    "{subject}{keyword}技术开发",
)
TECH_SUMMARIES = (
    "我公司在{subject}生产中遇到{problem}的问题，希望与高校院所合作，使{targets}。",
    "为满足下游客户的新要求，需要在{subject}方面取得突破：{targets}。欢迎有中试经验的团队对接。",
    "{subject}是公司主营产品的关键环节，目前{problem}。寻求成熟技术或联合攻关，指标要求：{targets}。",
    "拟对{subject}产线进行技术升级，重点解决{problem}，验收指标为{targets}。可委托开发或购买专利。",
    "公司计划新建{subject}产线，需要可放大的工艺方案，核心指标{targets}。",
)
# Talent needs: positions named after the work ("边缘计算研发工程师").
TALENT_POSITION_PATTERNS = ("{keyword}研发工程师", "{subject}工艺工程师", "{keyword}技术负责人")
TALENT_SUMMARIES = (
    "因{subject}项目扩产，招聘{position}{count}名，{education}，熟悉{field}，能独立承担工艺开发。",
    "公司设立{subject}研发中心，现面向高校院所引进{position}，可全职也可柔性合作，主要负责{field}方向的技术攻关。",
    "需要{count}名{position}参与{subject}新产品开发，{education}，有{field}经验者优先；可提供人才公寓和项目经费。",
)
COOPERATION_TITLES = {
    "joint_lab": "与高校共建{subject}联合实验室",
    "industry_institute": "联合共建{sector}产业研究院",
    "commissioned": "委托高校开展{subject}专项研究",
    "training": "{sector}技术骨干定向培养与培训合作",
    "consulting": "{subject}技术诊断与咨询服务",
}
COOPERATION_SUMMARIES = (
    "公司希望与在{subject}方面有积累的高校院所建立长期合作，{form_text}，每年投入研发经费约 {budget} 万元。",
    "围绕{problem}等问题，拟{form_text}，共享中试线和检测设备，合作成果双方共有。",
    "为提升{sector}领域的自主创新能力，公司计划{form_text}，欢迎相关学科团队洽谈。",
)
COOPERATION_FORM_TEXT = {
    "joint_lab": "共建联合实验室",
    "industry_institute": "共建产业研究院",
    "commissioned": "委托开展专项研究",
    "training": "开展研究生联合培养和技术骨干培训",
    "consulting": "聘请专家提供技术诊断与咨询",
}
ACHIEVEMENT_TITLES = (
    "一种{adj}{subject}及其制备方法",
    "{subject}{prop}提升关键技术",
    "{adj}{subject}成套工艺",
    "基于{keyword}的{subject}技术",
    "{subject}{keyword}新工艺",
    "{adj}{subject}中试技术",
    "{subject}{prop}控制方法",
    "{subject}{keyword}装置与方法",
)
ACHIEVEMENT_SUMMARIES = (
    "针对{problem}的问题，团队开发了{title}，{prop_text}，较现有技术提升约 {improvement}%，已完成{stage}验证。",
    "本成果通过{keyword}解决了{subject}中{problem}的难题，{prop_text}；已在{sector}企业完成{stage}试验。",
    "{title}：{prop_text}，工艺窗口宽、易于放大，适合{sector}领域中小企业技术升级，已完成{stage}验证。",
    "项目组历时 {years} 年攻关，形成{title}，关键指标{prop_text}，相关专利已授权或进入实审。",
)

# The word an enterprise making this product has in its name (临沂华宇果蔬有限公司 makes 果蔬预冷保鲜).
NAME_WORDS = {
    "磷酸铁锂正极材料": "新能源材料",
    "碳化硅陶瓷膜": "陶瓷",
    "玄武岩纤维复合材料": "复合材料",
    "水性聚氨酯涂料": "涂料",
    "高纯电子级氢氟酸": "电子化学品",
    "废催化剂贵金属回收": "环保科技",
    "缓释微球注射剂": "药业",
    "中药配方颗粒": "中药",
    "医用可降解镁合金骨钉": "医疗器械",
    "果蔬预冷保鲜": "果蔬",
    "花生蛋白深加工": "食品",
    "畜禽粪污资源化": "生物肥业",
    "数控机床主轴": "机床",
    "新能源商用车电驱桥": "汽车零部件",
    "工业机器人视觉分拣": "智能装备",
    "功率半导体模块封装": "半导体",
    "工业互联网数据采集网关": "信息技术",
    "光伏组件缺陷检测": "光电",
    "无醛生态板材": "板材",
    "木材阻燃改性": "木业",
    "冷链仓储能耗优化": "冷链",
    "物流园区智能调度": "物流",
    "高端不锈钢精密带材": "不锈钢",
    "耐磨铸钢件": "精密铸造",
}
