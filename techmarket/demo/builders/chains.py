"""Demo industry chains (产业链 → 环节) of Linyi; in production operators maintain their own."""

from techmarket.reference.models import ChainNode, Industry, IndustryChain, Region

from ..context import DemoContext
from ..vocab import CHAINS


def build(ctx: DemoContext) -> None:
    linyi = Region.objects.get(pk="371300")
    for order, (name, industries, segments) in enumerate(CHAINS):
        chain = IndustryChain.objects.create(
            name=name, region=linyi, sort_order=order, description=f"临沂市标志性产业链：{name}（演示数据）"
        )
        chain.industries.set(Industry.objects.filter(pk__in=industries))
        for seg_order, (segment, nodes) in enumerate(segments.items()):
            parent = ChainNode.objects.create(chain=chain, name=segment, sort_order=seg_order)
            for node_order, node in enumerate(nodes):
                ChainNode.objects.create(chain=chain, parent=parent, name=node, sort_order=node_order)
