"""Feedback on suggestions: brokers' and owners' decisions, replayable as a judged set for the benchmark."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    ACCEPT = "accept", _("采纳")
    REJECT = "reject", _("不相关")
    RECOMMEND = "recommend", _("推荐给企业")


class MatchFeedback(models.Model):
    """One decision about one suggestion (source item → suggested target item); every decision is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="match_feedback",
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源类型"), on_delete=models.CASCADE, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    source = GenericForeignKey("source_type", "source_id")
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("推荐类型"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(_("推荐编号"))
    target = GenericForeignKey("target_type", "target_id")
    decision = models.CharField(_("决定"), max_length=16, choices=Decision.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    score = models.FloatField(_("匹配得分"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("匹配反馈")
        verbose_name_plural = _("匹配反馈")
        indexes = [models.Index(fields=["source_type", "source_id"], name="matchfeedback_source")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="reject") | ~models.Q(reason=""),
                name="matchfeedback_reject_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.source_type.model}#{self.source_id} → {self.target_type.model}#{self.target_id} · "
            f"{self.get_decision_display()}"
        )


class DomainTerm(models.Model):
    """An operator-maintained domain term (领域词典): segmented as one word and highlighted whole.

    Changing the dictionary changes how every text is tokenised, so a save schedules a full rebuild.
    """

    term = models.CharField(_("术语"), max_length=32, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("领域术语")
        verbose_name_plural = _("领域词典")

    def __str__(self) -> str:
        return self.term


# --- the index published through the database (MATCHING_INDEX_STORE = "database") ------------------
# Web nodes on separate machines share only the database: the writer uploads each compacted base segment
# in chunks and each change-log line as a row; every node downloads the newest segment it lacks into its
# own cache directory and replays the rows after it (techmarket/matching/publication.py).


class IndexHead(models.Model):
    """The published state of the index (one row, pk=1): which segment, up to which log row."""

    generation = models.PositiveBigIntegerField(_("代次"), default=0)
    base = models.PositiveIntegerField(_("基础段"), default=0)
    position = models.PositiveBigIntegerField(_("日志位置"), default=0)
    ops = models.PositiveIntegerField(_("基础段后的变更数"), default=0)
    written_at = models.CharField(_("发布时间"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("匹配索引状态")
        verbose_name_plural = _("匹配索引状态")

    def __str__(self) -> str:
        return f"generation {self.generation} · base {self.base} · log {self.position}"


class IndexSegment(models.Model):
    """An immutable base segment (Engine.save output + tags.json), stored as chunks of its files."""

    number = models.PositiveIntegerField(_("段号"), primary_key=True)
    seq = models.PositiveBigIntegerField(_("起始日志序号"), default=0)
    files = models.JSONField(_("文件"), default=dict)  # relative path -> size in bytes
    size = models.PositiveBigIntegerField(_("字节数"), default=0)
    sha256 = models.CharField(_("校验和"), max_length=64, blank=True)
    complete = models.BooleanField(_("已上传完"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("被替代时间"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("匹配索引段")
        verbose_name_plural = _("匹配索引段")

    def __str__(self) -> str:
        return f"segment {self.number} ({self.size} bytes)"


class IndexSegmentChunk(models.Model):
    segment = models.ForeignKey(IndexSegment, on_delete=models.CASCADE, related_name="chunks")
    path = models.CharField(max_length=200)
    part = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "path", "part"], name="indexsegmentchunk_unique_part")
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}/{self.path}#{self.part}"


class IndexLogEntry(models.Model):
    """One change (an analysed document or a deletion) after base segment ``base``, in sequence order."""

    seq = models.PositiveBigIntegerField(primary_key=True)
    base = models.PositiveIntegerField(db_index=True)
    line = models.TextField()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} (base {self.base})"


class IndexPassage(models.Model):
    """A full-model passage embedding (techmatch.passages key "<doc id>:<text hash>" → float32 row), so that
    web nodes re-score with what the background worker on another machine embedded."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=255, unique=True)
    vector = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key
