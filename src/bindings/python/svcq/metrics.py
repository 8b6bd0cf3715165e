"""Service facts, KPIs with exact definitions, the weekly report, evaluation
cycles and risk points (svcq/metrics.h).

A ``Metrics`` set takes ``Fact`` objects (instants as aware datetimes) and
keeps exact integer rollups; ``kpi()`` reads one KPI of a period and a
dimension value as a ``Value`` (thousandths, with its integer numerator and
denominator, as in C: svcq.metrics.SCALE). Reports come back as str
(Markdown, JSON, CSV, SVG) or go to ``sink=``. ``import_facts()`` reads JSON
lines or CSV and hands each rejected line to a Python callback.
"""

import dataclasses
import datetime as _dt
from ctypes import (CFUNCTYPE, POINTER, byref, c_char, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from typing import Dict, Optional

from . import _lib
from ._lib import HANDLE, P, proto

Period = _lib.enum_from_getter('Period', 'svcq_metrics_period_name')
Dim = _lib.enum_from_getter('Dim', 'svcq_metrics_dim_name')
Fcr = _lib.enum_from_getter('Fcr', 'svcq_metrics_fcr_name')
Attribution = _lib.enum_from_getter('Attribution', 'svcq_metrics_attribution_name')
SlaOutcome = _lib.enum_from_getter('SlaOutcome', 'svcq_metrics_sla_outcome_name')
Kpi = _lib.enum_from_getter('Kpi', 'svcq_metrics_kpi_name')
Format = _lib.enum_from_getter('Format', 'svcq_metrics_format_name')
ImportFormat = _lib.enum_from_getter('ImportFormat', 'svcq_metrics_import_format_name')
TargetState = _lib.enum_from_getter('TargetState', 'svcq_metrics_target_state_name')

SCALE = _lib.K('SVCQ_METRICS_SCALE')
NO_TIME = _lib.K('SVCQ_METRICS_NO_TIME')
_KPI_SLOTS = 16   # svcq_metrics_options.targets has a literal size (metrics.h)

_S = c_char_p

Options = _lib.mirror('svcq_metrics_options', 1, [
    ('version', c_uint32), ('flags', c_uint32), ('name', _S), ('calendar', c_void_p), ('tz', c_void_p),
    ('fcr_definition', c_int32), ('fcr_reopen_days', c_int32), ('attribution', c_int32),
    ('periods', c_uint32), ('dimensions', c_uint32), ('target_mask', c_uint32),
    ('targets', c_int64 * _KPI_SLOTS), ('reserved', c_uint64 * 8)])

FactTable = _lib.mirror('svcq_metrics_fact', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('id', _S), ('client', _S), ('tier', _S), ('channel', _S),
    ('category', _S), ('agent', _S), ('complaint_category', _S), ('location', _S), ('stage', _S),
    ('received', c_int64), ('first_reply', c_int64), ('resolved', c_int64), ('closed', c_int64),
    ('reopened', c_int64), ('contacts', c_int32), ('agent_replies', c_int32), ('customer_replies', c_int32),
    ('csat', c_int32), ('complaint', c_int32), ('repeat', c_int32), ('measures_due', c_int32),
    ('measures_on_time', c_int32), ('sla_targets', POINTER(c_char_p)), ('sla_outcomes', POINTER(c_int32)),
    ('sla_count', c_uint32), ('reserved1', c_uint32), ('reserved', c_uint64 * 4)])

ValueTable = _lib.mirror('svcq_metrics_value', 1, [
    ('version', c_uint32), ('kpi', c_int32), ('defined', c_int32), ('target_state', c_int32),
    ('value', c_int64), ('numerator', c_int64), ('denominator', c_int64), ('excluded', c_int64),
    ('target', c_int64), ('reserved', c_uint64 * 4)])

Report = _lib.mirror('svcq_metrics_report', 1, [
    ('version', c_uint32), ('trend_weeks', c_uint32), ('week_of', c_int64), ('trend_kpi', c_int32),
    ('top', c_uint32), ('open_incidents', c_int64), ('overdue_measures', c_int64),
    ('reporter_names', POINTER(c_char_p)), ('reporter_counts', POINTER(c_int64)), ('reporter_count', c_uint32),
    ('reserved0', c_uint32), ('reserved', c_uint64 * 4)])

REJECT_FN = CFUNCTYPE(c_int, c_uint64, c_uint64, c_int, c_char_p, c_void_p)

F = {}
for _n, _r, _a in [
    ('options_init', c_int, (P(Options), c_uint32)),
    ('fact_init', c_int, (P(FactTable), c_uint32)),
    ('new', c_int, (P(HANDLE), HANDLE, P(Options))),
    ('free', None, (HANDLE,)),
    ('fact_put', c_int, (HANDLE, P(FactTable))),
    ('fact_count', c_uint64, (HANDLE,)),
    ('period_bounds', c_int, (P(c_int64), P(c_int64), P(c_char), c_size_t, HANDLE, c_int32, c_int64)),
    ('value_init', c_int, (P(ValueTable), c_uint32)),
    ('kpi_get', c_int, (P(ValueTable), HANDLE, c_int32, c_int32, c_int64, c_int32, _S)),
    ('sla_compliance', c_int, (P(ValueTable), HANDLE, c_int32, c_int64, c_int32, _S, _S)),
    ('kpis_export', c_int, (HANDLE, c_int32, c_int64, c_int32, _S, c_int32, c_void_p)),
    ('report_init', c_int, (P(Report), c_uint32)),
    ('weekly_report', c_int, (HANDLE, P(Report), c_int32, c_void_p)),
    ('import', c_int, (P(c_uint64), P(c_uint64), HANDLE, c_int32, c_char_p, c_size_t, REJECT_FN, c_void_p)),
    ('due', c_int, (P(c_uint32), HANDLE, HANDLE, c_int32, c_int64)),
    ('cycle_report', c_int, (HANDLE, HANDLE, c_int32, _S, c_int64, c_int32, c_void_p)),
    ('risk_points', c_int, (HANDLE, c_int32, c_int64, c_uint32, c_int32, c_void_p)),
]:
    F[_n] = proto('svcq_metrics_' + _n, _r, *_a)


@dataclasses.dataclass
class Fact:
    """One service fact (a request or ticket). Instants are aware datetimes
    (None: none); ``sla`` maps an SLA target's name to its SlaOutcome (or
    its label: "met", "breached", "pending"); ``csat`` is 1-5 or 0 unrated."""
    id: str
    received: _dt.datetime
    client: Optional[str] = None
    tier: Optional[str] = None
    channel: Optional[str] = None
    category: Optional[str] = None
    agent: Optional[str] = None
    complaint_category: Optional[str] = None
    location: Optional[str] = None
    stage: Optional[str] = None
    first_reply: Optional[_dt.datetime] = None
    resolved: Optional[_dt.datetime] = None
    closed: Optional[_dt.datetime] = None
    reopened: Optional[_dt.datetime] = None
    contacts: int = 0
    agent_replies: int = 0
    customer_replies: int = 0
    csat: int = 0
    complaint: bool = False
    repeat: bool = False
    measures_due: int = 0
    measures_on_time: int = 0
    sla: Dict[str, object] = dataclasses.field(default_factory=dict)

    _STRINGS = ('id', 'client', 'tier', 'channel', 'category', 'agent', 'complaint_category', 'location', 'stage')
    _TIMES = ('received', 'first_reply', 'resolved', 'closed', 'reopened')
    _INTS = ('contacts', 'agent_replies', 'customer_replies', 'csat', 'complaint', 'repeat', 'measures_due',
             'measures_on_time')

    def _table(self):
        """The C table and what it points to (keep both during the call)."""
        t = _lib.new_table(FactTable, F['fact_init'])
        for name in self._STRINGS:
            setattr(t, name, _lib.enc(getattr(self, name), name))
        for name in self._TIMES:
            v = getattr(self, name)
            setattr(t, name, NO_TIME if v is None else _lib.to_time(v, name))
        for name in self._INTS:
            setattr(t, name, int(getattr(self, name)))
        keep = None
        if self.sla:
            names = [_lib.enc(k, 'sla target') for k in self.sla]
            targets = (c_char_p * len(names))(*names)
            outcomes = (c_int32 * len(names))(*[_lib.enum_value(SlaOutcome, v) for v in self.sla.values()])
            t.sla_targets = targets
            t.sla_outcomes = outcomes
            t.sla_count = len(names)
            keep = (names, targets, outcomes)
        return t, keep


@dataclasses.dataclass(frozen=True)
class Value:
    """One KPI of one rollup: ``value`` in thousandths (None when undefined,
    i.e. the denominator is 0), its integer ``numerator`` and ``denominator``
    (seconds for times), the facts ``excluded``, the ``target`` (thousandths,
    or None) and the TargetState."""
    kpi: object
    defined: bool
    value: Optional[int]
    numerator: int
    denominator: int
    excluded: int
    target: Optional[int]
    target_state: object

    @classmethod
    def _of(cls, t):
        state = _lib.enum_out(TargetState, t.target_state)
        return cls(_lib.enum_out(Kpi, t.kpi), bool(t.defined), t.value if t.defined else None, t.numerator,
                   t.denominator, t.excluded, None if state == TargetState.NONE else t.target, state)


def _bits(values, cls):
    mask = 0
    for v in values:
        mask |= 1 << _lib.enum_value(cls, v)
    return mask


def _dim_value(value):
    return _lib.enc(value) if value else None


class Metrics(_lib.Handle):
    """A metrics set: facts and their exact rollups.

    ``calendar`` (a svcq.Calendar, copied) is the business calendar of
    business time; ``tz`` (a svcq.Tz) the zone of the periods (default: the
    calendar's). ``fcr`` an Fcr definition, ``attribution`` cohort or
    throughput, ``periods`` and ``dimensions`` iterables of Period and Dim to
    roll up (None: all), ``targets`` {Kpi: thousandths} replacing the default
    targets, ``persist`` stores facts and rollups in the context's store.
    """
    _free_fn = staticmethod(F['free'])

    def __init__(self, ctx, name=None, calendar=None, tz=None, fcr=None, fcr_reopen_days=None,
                 attribution=None, periods=None, dimensions=None, targets=None, persist=False):
        o = _lib.new_table(Options, F['options_init'])
        o.name = _lib.enc(name)
        if calendar is not None:
            o.calendar = calendar._p
        if tz is not None:
            o.tz = tz._p
        if fcr is not None:
            o.fcr_definition = _lib.enum_value(Fcr, fcr)
        if fcr_reopen_days is not None:
            o.fcr_reopen_days = fcr_reopen_days
        if attribution is not None:
            o.attribution = _lib.enum_value(Attribution, attribution)
        if periods is not None:
            o.periods = _bits(periods, Period)
        if dimensions is not None:
            o.dimensions = _bits(dimensions, Dim)
        if targets is not None:
            o.target_mask = 0
            for i in range(_KPI_SLOTS):
                o.targets[i] = 0
            for k, v in targets.items():
                k = _lib.enum_value(Kpi, k)
                o.target_mask |= 1 << k
                o.targets[k] = v
        if persist:
            o.flags |= _lib.K('SVCQ_METRICS_PERSIST')
        out = HANDLE()
        _lib.call(ctx, F['new'], byref(out), ctx._p, byref(o))
        super().__init__(ctx, out.value)
        self.name = name or 'default'
        # The zone periods come out in (Python's view of it).
        self._tzinfo = (tz.tzinfo if tz is not None else calendar.tzinfo if calendar is not None else None) \
            or _lib.UTC

    def _out(self, t):
        return _lib.from_time(t, self._tzinfo)

    # -- facts
    def put(self, fact=None, **fields):
        """Adds a Fact (or one made from keyword fields), or replaces the fact with its id."""
        if fact is None:
            fact = Fact(**fields)
        elif fields:
            fact = dataclasses.replace(fact, **fields)
        t, keep = fact._table()
        _lib.call(self._ctx, F['fact_put'], self._p, byref(t))
        del keep

    def __len__(self):
        return F['fact_count'](self._p)

    def import_facts(self, data, format='jsonl', on_reject=None):
        """Imports facts from JSON lines or CSV (str or bytes); returns
        (accepted, rejected). ``on_reject(line, column, error)`` gets each
        rejected line (``error`` a svcq.SvcqError whose message names the line
        and column); it returning a true value stops the import
        (svcq.AbortedError), raising stops it and the exception comes back
        from this call."""
        def cb(line, column, code, message, user):
            if on_reject is not None and on_reject(line, column, _lib._errors.error_for(code, _lib.dec(message))):
                return _lib.EABORTED
            return 0
        fn = REJECT_FN(_lib.guard(self._ctx._pending, cb, _lib.EABORTED))
        data = _lib.enc(data)
        accepted, rejected = c_uint64(), c_uint64()
        _lib.call(self._ctx, F['import'], byref(accepted), byref(rejected), self._p,
                  _lib.enum_value(ImportFormat, format), data, len(data), fn, None)
        return accepted.value, rejected.value

    # -- periods and KPIs
    def period_bounds(self, kind, at):
        """(start, end, label) of the period of `kind` holding `at`, in the set's zone."""
        start, end = c_int64(), c_int64()
        label = (c_char * 32)()
        _lib.call(self._ctx, F['period_bounds'], byref(start), byref(end), label, len(label), self._p,
                  _lib.enum_value(Period, kind), _lib.to_time(at, 'at'))
        return self._out(start.value), self._out(end.value), label.value.decode()

    def kpi(self, kpi, period, at, dim=0, value=None):
        """One KPI (a Value) of the `period` kind holding `at`, for dimension `dim` = `value`."""
        v = _lib.new_table(ValueTable, F['value_init'])
        _lib.call(self._ctx, F['kpi_get'], byref(v), self._p, _lib.enum_value(Kpi, kpi),
                  _lib.enum_value(Period, period), _lib.to_time(at, 'at'), _lib.enum_value(Dim, dim),
                  _dim_value(value))
        return Value._of(v)

    def kpis(self, period, at, dim=0, value=None):
        """{Kpi: Value} for every KPI of one rollup."""
        return {k: self.kpi(k, period, at, dim, value) for k in Kpi}

    def sla_compliance(self, period, at, dim=0, value=None, target=None):
        """SLA compliance (met / decided) of one target (None: every target), a Value."""
        v = _lib.new_table(ValueTable, F['value_init'])
        _lib.call(self._ctx, F['sla_compliance'], byref(v), self._p, _lib.enum_value(Period, period),
                  _lib.to_time(at, 'at'), _lib.enum_value(Dim, dim), _dim_value(value), _lib.enc(target))
        return Value._of(v)

    def export_kpis(self, period, at, dim=0, value=None, format='markdown', sink=None):
        """Every KPI of one rollup with the definition next to each number
        (Markdown, JSON "svcq.metrics_kpis/1" or CSV)."""
        return _lib.export(self._ctx, F['kpis_export'], self._p, _lib.enum_value(Period, period),
                           _lib.to_time(at, 'at'), _lib.enum_value(Dim, dim), _dim_value(value),
                           _lib.enum_value(Format, format), sink=sink)

    # -- reports
    def weekly_report(self, week_of, format='markdown', trend_weeks=None, trend_kpi=None, top=None,
                      open_incidents=None, overdue_measures=None, reporters=None, sink=None):
        """The weekly report of the ISO week holding `week_of`: Markdown, JSON,
        CSV, or one of its charts (Format.SVG_TOP, Format.SVG_TREND), as str.
        ``reporters``: {name: anomalies reported this week}."""
        r = _lib.new_table(Report, F['report_init'])
        r.week_of = _lib.to_time(week_of, 'week_of')
        if trend_weeks is not None:
            r.trend_weeks = trend_weeks
        if trend_kpi is not None:
            r.trend_kpi = _lib.enum_value(Kpi, trend_kpi)
        if top is not None:
            r.top = top
        if open_incidents is not None:
            r.open_incidents = open_incidents
        if overdue_measures is not None:
            r.overdue_measures = overdue_measures
        keep = None
        if reporters:
            names = [_lib.enc(n) for n in reporters]
            arr_n = (c_char_p * len(names))(*names)
            arr_c = (c_int64 * len(names))(*reporters.values())
            r.reporter_names, r.reporter_counts, r.reporter_count = arr_n, arr_c, len(names)
            keep = (names, arr_n, arr_c)
        out = _lib.export(self._ctx, F['weekly_report'], self._p, byref(r), _lib.enum_value(Format, format),
                          sink=sink)
        del keep
        return out

    def due(self, profiles, level, date):
        """The svcq.tier.EvalMetric reports of tier `level` due on `date`, as a set."""
        from .tier import EvalMetric
        mask = c_uint32()
        _lib.call(self._ctx, F['due'], byref(mask), self._p, profiles._p, int(level), _lib.to_time(date, 'date'))
        return {m for m in EvalMetric if mask.value & (1 << int(m))}

    def cycle_report(self, profiles, level, tier, date, format='markdown', sink=None):
        """The evaluation reports due on `date` for the facts of `tier` ("tier.1")."""
        return _lib.export(self._ctx, F['cycle_report'], self._p, profiles._p, int(level), _lib.enc(tier),
                           _lib.to_time(date, 'date'), _lib.enum_value(Format, format), sink=sink)

    def risk_points(self, period, at, periods, format='markdown', sink=None):
        """Categories, locations and stages whose complaint recurrence rose over
        the last `periods` periods ending with the one holding `at`."""
        return _lib.export(self._ctx, F['risk_points'], self._p, _lib.enum_value(Period, period),
                           _lib.to_time(at, 'at'), periods, _lib.enum_value(Format, format), sink=sink)
