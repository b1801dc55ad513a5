"""The index holds public text only, follows catalogue changes after commit, and is shared across processes."""

import pytest
from matching_items import make_achievement, make_filler, make_need

from techmarket.catalog.workflow import listing_transition
from techmarket.matching import engine as handle
from techmarket.matching import services
from techmarket.matching.documents import to_document
from techmarket.matching.selectors import suggestions_for

pytestmark = pytest.mark.django_db


def test_confidential_detail_is_never_indexed(enterprise, university, enterprise_user):
    need = make_need(enterprise, confidential_detail="配方采用钛酸锶钡陶瓷前驱体，供应商为某某化工。")
    make_filler(university)
    query = make_achievement(
        university,
        title="钛酸锶钡陶瓷前驱体制备",
        summary="钛酸锶钡陶瓷前驱体低温合成。",
        keywords=["钛酸锶钡"],
    )
    services.rebuild_index()
    indexed = handle.get_engine().docs[f"need:{need.pk}"]
    assert "钛酸锶钡" not in indexed.text() and "磷酸铁锂" in indexed.text()
    assert not [s for s in suggestions_for(enterprise_user, query, target="needs") if s.obj.pk == need.pk]


def test_publishing_indexes_after_commit_and_closing_removes(
    enterprise, university, enterprise_user, operator_user, django_capture_on_commit_callbacks
):
    need = make_need(enterprise)
    make_filler(university)
    services.rebuild_index()
    item = make_achievement(university, status="pending")
    assert not suggestions_for(enterprise_user, need, target="achievements").items
    with django_capture_on_commit_callbacks(execute=True):
        listing_transition(item=item, action="publish", acting_user=operator_user)
    assert [s.obj.pk for s in suggestions_for(enterprise_user, need, target="achievements")] == [item.pk]
    with django_capture_on_commit_callbacks(execute=True):
        listing_transition(item=item, action="close", acting_user=operator_user)
    assert f"achievement:{item.pk}" not in handle.get_engine().docs
    assert suggestions_for(enterprise_user, need, target="achievements").nothing_good


def test_owner_edit_of_a_listed_need_unlists_it_from_the_index(
    enterprise, enterprise_user, django_capture_on_commit_callbacks
):
    from techmarket.needs.services import need_update

    need = make_need(enterprise)
    services.index_item(label="needs.need", pk=need.pk)
    assert f"need:{need.pk}" in handle.get_engine().docs
    with django_capture_on_commit_callbacks(execute=True):
        need_update(need=need, acting_user=enterprise_user, summary="改为钠离子电池正极材料需求。")
    assert need.status == "pending" and f"need:{need.pk}" not in handle.get_engine().docs


def test_reindexing_one_item_appends_a_change_that_other_processes_replay(enterprise, university, index_dir):
    from techmatch import IndexStore

    need = make_need(enterprise)
    make_filler(university)
    services.rebuild_index()
    reader = handle.get_engine()
    base = IndexStore(index_dir).head()
    assert handle.get_engine() is reader  # nothing written: nothing to do
    other = IndexStore(index_dir).open()  # another process's replica
    item = make_achievement(university)
    services.index_item(label="achievements.achievement", pk=item.pk)
    head = IndexStore(index_dir).head()
    assert (head.generation, head.base, head.log_ops) == (base.generation + 1, base.base, 1)  # no full save
    assert other.refresh() and f"achievement:{item.pk}" in other.engine.docs
    assert other.tags[f"achievement:{item.pk}"] == item.updated_at.isoformat()
    ranked = [r.id for r in other.engine.search(to_document(need), k=5)]
    services.rebuild_index()
    rebuilt = IndexStore(index_dir).open().engine
    assert [r.id for r in rebuilt.search(to_document(need), k=5)] == ranked and len(
        ranked
    ) > 1  # == a rebuild


def test_get_engine_follows_a_change_written_by_another_process(enterprise, university, index_dir):
    from techmatch import IndexStore, writing

    make_filler(university)
    services.rebuild_index()
    reader = handle.get_engine()
    item = make_achievement(university)
    writer = IndexStore(index_dir).open()  # e.g. a Celery worker
    with writing(writer) as w:
        w.add(to_document(item), tag=item.updated_at.isoformat())
    assert f"achievement:{item.pk}" not in reader.docs or handle.get_engine() is not reader
    fresh = handle.get_engine()
    assert fresh is reader and f"achievement:{item.pk}" in fresh.docs  # replayed in place, not reloaded


def test_health_reports_size_and_lag(enterprise, university):
    need = make_need(enterprise)
    make_filler(university, n=2)
    services.rebuild_index()
    info = services.index_health()
    assert info["size"] == 3 and info["kinds"] == {"need": 1, "achievement": 2} and info["lagging"] == 0
    make_achievement(university)  # listed but not indexed (e.g. written by the ORM, no hook ran)
    need.title = "磷酸铁锂正极材料低温改性（修订）"
    need.save()
    info = services.index_health()
    assert info["lag"]["achievement"]["missing"] == 1 and info["lag"]["need"]["stale"] == 1


def test_rebuild_command_prints_progress_on_stderr(enterprise, capsys):
    from django.core.management import call_command

    make_need(enterprise)
    call_command("matching_rebuild")
    out = capsys.readouterr()
    assert "1/1" in out.err and "索引已重建" in out.out
    assert len(handle.get_engine()) == 1


def test_domain_terms_from_the_operators_dictionary_are_used_by_a_rebuild(db):
    from techmarket.matching.models import DomainTerm
    from techmarket.matching.services import domain_terms, rebuild_index

    # rjieba's dictionary is process-wide: use a term no other test segments differently.
    DomainTerm.objects.create(term="玄武岩纤维增强筋", note="复合材料筋材")
    assert domain_terms() == {"玄武岩纤维增强筋"}
    rebuild_index()
    from techmarket.matching.engine import get_engine

    assert "玄武岩纤维增强筋" in get_engine().analyzer.words("一种玄武岩纤维增强筋的制备")
