"""Scorecards: templates, orders, periods and cards, the composite and
ranking (svcq/scorecard.h). Points and values are integers in thousandths
(SCALE), as in C."""

import dataclasses
from ctypes import byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from typing import List, Optional

from . import _lib
from ._lib import HANDLE, P, proto

SCALE = _lib.K('SVCQ_SCORECARD_SCALE')
_BANDS = _lib.K('SVCQ_SCORECARD_MAX_BANDS')

ItemSpecC = _lib.mirror('svcq_scorecard_item_spec', 1, [
    ('version', c_uint32), ('rule', c_int32), ('section', c_char_p), ('key', c_char_p), ('name', c_char_p),
    ('source', c_char_p), ('max_points', c_int64), ('direction', c_int32), ('band_count', c_uint32),
    ('target', c_int64), ('floor', c_int64), ('per_event', c_int64),
    ('band_from', c_int64 * _BANDS), ('band_to', c_int64 * _BANDS), ('band_points', c_int64 * _BANDS),
    ('reserved', c_uint64 * 4)])
VetoSpecC = _lib.mirror('svcq_scorecard_veto_spec', 1, [
    ('version', c_uint32), ('kind', c_int32), ('key', c_char_p), ('name', c_char_p), ('threshold', c_uint32),
    ('reserved0', c_uint32), ('reserved', c_uint64 * 4)])
CardInfoC = _lib.mirror('svcq_scorecard_card_info', 1, [
    ('version', c_uint32), ('closed', c_uint32), ('unit', c_char_p), ('points', c_int64),
    ('max_points', c_int64), ('nominal_max', c_int64), ('share', c_int64), ('vetoed', c_uint32),
    ('veto_count', c_uint32), ('veto_reason', c_char_p), ('na_count', c_uint32), ('missing', c_uint32),
    ('clamped', c_uint32), ('correction_count', c_uint32), ('revision', c_uint64), ('reserved', c_uint64 * 4)])
ItemResultC = _lib.mirror('svcq_scorecard_item_result', 1, [
    ('version', c_uint32), ('rule', c_int32), ('key', c_char_p), ('name', c_char_p), ('max_points', c_int64),
    ('value', c_int64), ('has_value', c_uint32), ('na', c_uint32), ('na_reason', c_char_p),
    ('raw_points', c_int64), ('points', c_int64), ('clamped', c_uint32), ('reserved0', c_uint32),
    ('reserved', c_uint64 * 4)])
RankEntryC = _lib.mirror('svcq_scorecard_rank_entry', 1, [
    ('version', c_uint32), ('rank', c_uint32), ('unit', c_char_p), ('card_share', c_int64),
    ('satisfaction', c_int64), ('raw_score', c_int64), ('score', c_int64), ('months', c_uint32),
    ('vetoed', c_uint32), ('veto_reason', c_char_p), ('has_previous', c_uint32), ('previous_rank', c_uint32),
    ('change', c_int32), ('reserved0', c_uint32), ('reserved', c_uint64 * 4)])

F = {}
for _n, _r, _a in [
    ('item_spec_init', c_int, (P(ItemSpecC), c_uint32)),
    ('veto_spec_init', c_int, (P(VetoSpecC), c_uint32)),
    ('card_info_init', c_int, (P(CardInfoC), c_uint32)),
    ('item_result_init', c_int, (P(ItemResultC), c_uint32)),
    ('rank_entry_init', c_int, (P(RankEntryC), c_uint32)),
    ('template_new', c_int, (P(HANDLE), HANDLE, c_char_p, c_uint32)),
    ('template_free', None, (HANDLE,)),
    ('template_add_section', c_int, (HANDLE, c_char_p, c_char_p)),
    ('template_add_item', c_int, (HANDLE, P(ItemSpecC))),
    ('template_add_veto', c_int, (HANDLE, P(VetoSpecC))),
    ('template_set_note', c_int, (HANDLE, c_char_p)),
    ('template_set_composite', c_int, (HANDLE, c_uint32, c_uint32, c_int32, c_int64)),
    ('template_composite', c_int, (P(c_uint32), P(c_uint32), P(c_int32), P(c_int64), HANDLE)),
    ('template_name', c_char_p, (HANDLE,)),
    ('template_version', c_uint32, (HANDLE,)),
    ('template_note', c_char_p, (HANDLE,)),
    ('template_item_count', c_uint32, (HANDLE,)),
    ('template_veto_count', c_uint32, (HANDLE,)),
    ('template_max_points', c_int64, (HANDLE,)),
    ('template_item', c_int, (P(ItemSpecC), HANDLE, c_uint32)),
    ('template_veto', c_int, (P(VetoSpecC), HANDLE, c_uint32)),
    ('template_builtin', c_int, (P(HANDLE), HANDLE, c_int32)),
    ('template_export', c_int, (HANDLE, c_void_p, c_int32, c_uint32)),
    ('template_import', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t)),
    ('template_save', c_int, (HANDLE,)),
    ('template_load', c_int, (P(HANDLE), HANDLE, c_char_p, c_uint32)),
    ('template_revision', c_uint64, (HANDLE,)),
    ('order_issue', c_int, (HANDLE, c_char_p, c_char_p, c_char_p, c_int64, c_int64)),
    ('order_answer', c_int, (HANDLE, c_char_p, c_int64)),
    ('order_status', c_int, (P(c_int32), P(c_int64), HANDLE, c_char_p, c_int64)),
    ('orders_breached', c_int, (P(c_uint32), HANDLE, c_char_p, c_int64, c_int64, c_int64)),
    ('period_new', c_int, (P(HANDLE), HANDLE, c_char_p, c_int64, c_int64)),
    ('period_load', c_int, (P(HANDLE), HANDLE, c_char_p)),
    ('period_free', None, (HANDLE,)),
    ('period_label', c_char_p, (HANDLE,)),
    ('period_closed', c_int32, (HANDLE,)),
    ('period_unit_count', c_uint32, (HANDLE,)),
    ('period_unit', c_char_p, (HANDLE, c_uint32)),
    ('period_add_unit', c_int, (HANDLE, c_char_p)),
    ('set_value', c_int, (HANDLE, c_char_p, c_char_p, c_int64)),
    ('set_values', c_int, (HANDLE, c_char_p, P(c_char_p), P(c_int64), c_uint32)),
    ('set_na', c_int, (HANDLE, c_char_p, c_char_p, c_char_p)),
    ('veto', c_int, (HANDLE, c_char_p, c_char_p, c_char_p)),
    ('double_track', c_int, (HANDLE, c_char_p, c_char_p, c_char_p, c_int64, c_char_p)),
    ('period_evaluate', c_int, (HANDLE, c_int64)),
    ('period_close', c_int, (HANDLE, c_int64)),
    ('correct', c_int, (HANDLE, c_char_p, c_char_p, c_int64, c_char_p, c_int64)),
    ('card_totals', c_int, (P(CardInfoC), HANDLE, c_char_p)),
    ('card_item', c_int, (P(ItemResultC), HANDLE, c_char_p, c_uint32)),
    ('card_veto', c_int, (P(c_char_p), P(c_char_p), HANDLE, c_char_p, c_uint32)),
    ('card_export', c_int, (HANDLE, c_char_p, c_void_p, c_int32)),
    ('csat_satisfaction', c_int, (P(c_int64), c_int64)),
    ('ranking_new', c_int, (P(HANDLE), HANDLE, c_char_p, c_int32)),
    ('ranking_free', None, (HANDLE,)),
    ('ranking_add_period', c_int, (HANDLE, HANDLE)),
    ('ranking_set_satisfaction', c_int, (HANDLE, c_char_p, c_int64)),
    ('ranking_set_csat', c_int, (HANDLE, c_char_p, c_int64)),
    ('ranking_set_previous', c_int, (HANDLE, HANDLE)),
    ('ranking_compute', c_int, (HANDLE,)),
    ('ranking_count', c_uint32, (HANDLE,)),
    ('ranking_entry', c_int, (P(RankEntryC), HANDLE, c_uint32)),
    ('ranking_export', c_int, (HANDLE, c_void_p, c_int32)),
]:
    F[_n] = proto('svcq_scorecard_' + _n, _r, *_a)

Rule = _lib.enum_from_getter('Rule', 'svcq_scorecard_rule_name')
Direction = _lib.enum_from_getter('Direction', 'svcq_scorecard_direction_name')
VetoKind = _lib.enum_from_getter('VetoKind', 'svcq_scorecard_veto_kind_name')
VetoEffect = _lib.enum_from_getter('VetoEffect', 'svcq_scorecard_veto_effect_name')
Format = _lib.enum_from_getter('Format', 'svcq_scorecard_format_name')
Basis = _lib.enum_from_getter('Basis', 'svcq_scorecard_basis_name')
Builtin = _lib.enum_from_getter('Builtin', 'svcq_scorecard_builtin_id_name')


def _init(ctx, cls, fn):
    t = cls()
    _lib.call(ctx, F[fn], byref(t), cls.VERSION)
    return t


def _fields(t, skip=('version', 'reserved', 'reserved0')):
    out = {}
    for name, _ in t._fields_:
        if name in skip:
            continue
        v = getattr(t, name)
        out[name] = v.decode() if isinstance(v, bytes) else v
    return out


@dataclasses.dataclass
class ItemSpec:
    """One item of a template. Points and values in thousandths (SCALE).
    `bands`: [(from, to, points)] for Rule.BANDS."""
    section: str
    key: str
    name: str
    rule: object = 'manual'
    max_points: int = 0
    source: Optional[str] = None
    direction: object = 0
    target: int = 0
    floor: int = 0
    per_event: int = 0
    bands: List[tuple] = dataclasses.field(default_factory=list)

    def _c(self, ctx):
        s = _init(ctx, ItemSpecC, 'item_spec_init')
        s.rule = _lib.enum_value(Rule, self.rule)
        s.section, s.key, s.name, s.source = (_lib.enc(x) for x in (self.section, self.key, self.name, self.source))
        s.max_points, s.direction = self.max_points, _lib.enum_value(Direction, self.direction)
        s.target, s.floor, s.per_event = self.target, self.floor, self.per_event
        if len(self.bands) > _BANDS:
            raise ValueError('item %s: at most %d bands' % (self.key, _BANDS))
        s.band_count = len(self.bands)
        for i, (f, t, p) in enumerate(self.bands):
            s.band_from[i], s.band_to[i], s.band_points[i] = f, t, p
        return s


class Template(_lib.Handle):
    """A scorecard template: sections, items, veto rules, composite settings."""
    _free_fn = staticmethod(F['template_free'])

    def __init__(self, ctx, name, version=1, _ptr=None):
        if _ptr is None:
            out = HANDLE()
            _lib.call(ctx, F['template_new'], byref(out), ctx._p, _lib.enc(name), version)
            _ptr = out.value
        super().__init__(ctx, _ptr)

    @classmethod
    def builtin(cls, ctx, which=None):
        """A built-in template (Builtin.TELECOM by default)."""
        which = Builtin.TELECOM if which is None else _lib.enum_value(Builtin, which)
        out = HANDLE()
        _lib.call(ctx, F['template_builtin'], byref(out), ctx._p, which)
        return cls(ctx, None, _ptr=out.value)

    def _c(self, fn, *args):
        _lib.call(self._ctx, F['template_' + fn], self._p, *args)

    def add_section(self, key, title):
        self._c('add_section', _lib.enc(key), _lib.enc(title))

    def add_item(self, spec=None, **fields):
        spec = spec if spec is not None else ItemSpec(**fields)
        self._c('add_item', byref(spec._c(self._ctx)))

    def add_veto(self, key, name, kind='manual', threshold=0):
        v = _init(self._ctx, VetoSpecC, 'veto_spec_init')
        v.kind, v.key, v.name, v.threshold = _lib.enum_value(VetoKind, kind), _lib.enc(key), _lib.enc(name), threshold
        self._c('add_veto', byref(v))

    @property
    def note(self):
        return _lib.dec(F['template_note'](self._p))

    @note.setter
    def note(self, text):
        self._c('set_note', _lib.enc(text))

    def set_composite(self, card_percent, satisfaction_percent, veto_effect, cap=0):
        self._c('set_composite', card_percent, satisfaction_percent, _lib.enum_value(VetoEffect, veto_effect), cap)

    @property
    def composite(self):
        """(card_percent, satisfaction_percent, veto_effect, cap)."""
        a, b, e, cap = c_uint32(), c_uint32(), c_int32(), c_int64()
        _lib.call(self._ctx, F['template_composite'], byref(a), byref(b), byref(e), byref(cap), self._p)
        return a.value, b.value, _lib.enum_out(VetoEffect, e.value), cap.value

    @property
    def name(self):
        return _lib.dec(F['template_name'](self._p))

    @property
    def version(self):
        return F['template_version'](self._p)

    @property
    def max_points(self):
        return F['template_max_points'](self._p)

    @property
    def items(self):
        out = []
        for i in range(F['template_item_count'](self._p)):
            s = _init(self._ctx, ItemSpecC, 'item_spec_init')
            _lib.call(self._ctx, F['template_item'], byref(s), self._p, i)
            d = _fields(s, ('version', 'reserved', 'band_from', 'band_to', 'band_points', 'band_count'))
            d['rule'], d['direction'] = _lib.enum_out(Rule, s.rule), _lib.enum_out(Direction, s.direction)
            d['bands'] = [(s.band_from[j], s.band_to[j], s.band_points[j]) for j in range(s.band_count)]
            out.append(d)
        return out

    @property
    def vetoes(self):
        out = []
        for i in range(F['template_veto_count'](self._p)):
            v = _init(self._ctx, VetoSpecC, 'veto_spec_init')
            _lib.call(self._ctx, F['template_veto'], byref(v), self._p, i)
            d = _fields(v)
            d['kind'] = _lib.enum_out(VetoKind, v.kind)
            out.append(d)
        return out

    def export(self, format='json', pretty=False, sink=None):
        flags = _lib.K('SVCQ_SCORECARD_JSON_PRETTY') if pretty else 0
        return _lib.export(self._ctx, F['template_export'], self._p, _lib.enum_value(Format, format), flags,
                           sink=sink, writer_pos=1)

    @classmethod
    def import_json(cls, ctx, text):
        data = _lib.enc(text)
        out = HANDLE()
        _lib.call(ctx, F['template_import'], byref(out), ctx._p, data, len(data))
        return cls(ctx, None, _ptr=out.value)

    def save(self):
        self._c('save')

    @classmethod
    def load(cls, ctx, name, version):
        out = HANDLE()
        _lib.call(ctx, F['template_load'], byref(out), ctx._p, _lib.enc(name), version)
        return cls(ctx, None, _ptr=out.value)

    @property
    def revision(self):
        return F['template_revision'](self._p)


# -- the general manager's orders (stored records, no handle)

def order_issue(ctx, id, unit, head, issued_at, reply=None):
    """Issues an order to `head` of `unit`; `reply` a timedelta (None: the default 24 h)."""
    _lib.call(ctx, F['order_issue'], ctx._p, _lib.enc(id), _lib.enc(unit), _lib.enc(head),
              _lib.to_time(issued_at, 'issued_at'), _lib.to_seconds(reply) if reply is not None else 0)


def order_answer(ctx, id, answered_at):
    _lib.call(ctx, F['order_answer'], ctx._p, _lib.enc(id), _lib.to_time(answered_at, 'answered_at'))


def order_status(ctx, id, at):
    """(svcq.State of the reply, due_at)."""
    from .sla import State
    st, due = c_int32(), c_int64()
    _lib.call(ctx, F['order_status'], byref(st), byref(due), ctx._p, _lib.enc(id), _lib.to_time(at, 'at'))
    return _lib.enum_out(State, st.value), _lib.from_time(due.value)


def orders_breached(ctx, head, start, end, at):
    out = c_uint32()
    _lib.call(ctx, F['orders_breached'], byref(out), ctx._p, _lib.enc(head), _lib.to_time(start, 'start'),
              _lib.to_time(end, 'end'), _lib.to_time(at, 'at'))
    return out.value


def csat_satisfaction(csat_mean):
    """The satisfaction score (thousandths) of a CSAT mean (thousandths of a 1-5 scale)."""
    out = c_int64()
    rc = F['csat_satisfaction'](byref(out), csat_mean)
    if rc:
        raise _lib._errors.error_for(rc, 'csat mean %d out of range' % csat_mean)
    return out.value


class Period(_lib.Handle):
    """One period of a template: a card per unit."""
    _free_fn = staticmethod(F['period_free'])

    def __init__(self, template, label, start=None, end=None, _ptr=None):
        if _ptr is None:
            out = HANDLE()
            _lib.call(template._ctx, F['period_new'], byref(out), template._p, _lib.enc(label),
                      _lib.to_time(start, 'start'), _lib.to_time(end, 'end'))
            _ptr = out.value
        super().__init__(template._ctx, _ptr)
        self._template = template

    @classmethod
    def load(cls, template, label):
        out = HANDLE()
        _lib.call(template._ctx, F['period_load'], byref(out), template._p, _lib.enc(label))
        return cls(template, None, _ptr=out.value)

    def _c(self, fn, *args):
        _lib.call(self._ctx, F[fn], self._p, *args)

    @property
    def label(self):
        return _lib.dec(F['period_label'](self._p))

    @property
    def closed(self):
        return bool(F['period_closed'](self._p))

    @property
    def units(self):
        return [_lib.dec(F['period_unit'](self._p, i)) for i in range(F['period_unit_count'](self._p))]

    def add_unit(self, unit):
        self._c('period_add_unit', _lib.enc(unit))

    def set_value(self, unit, item, value):
        self._c('set_value', _lib.enc(unit), _lib.enc(item), value)

    def set_values(self, unit, values):
        """{item: value} in one all-or-nothing write."""
        keys = [_lib.enc(k) for k in values]
        karr = (c_char_p * max(len(keys), 1))(*keys)
        varr = (c_int64 * max(len(keys), 1))(*values.values())
        self._c('set_values', _lib.enc(unit), karr, varr, len(keys))

    def set_na(self, unit, item, reason):
        self._c('set_na', _lib.enc(unit), _lib.enc(item), _lib.enc(reason))

    def veto(self, unit, rule, reason):
        self._c('veto', _lib.enc(unit), _lib.enc(rule), _lib.enc(reason))

    def double_track(self, person, process, item, amount, note=None):
        self._c('double_track', _lib.enc(person), _lib.enc(process), _lib.enc(item), amount, _lib.enc(note))

    def evaluate(self, at):
        self._c('period_evaluate', _lib.to_time(at, 'at'))

    def close_period(self, at):
        """Closes the period at `at` (svcq_scorecard_period_close): vetoes are
        frozen into the cards. (close() frees the handle, as everywhere.)"""
        self._c('period_close', _lib.to_time(at, 'at'))

    def correct(self, unit, item, value, reason, at):
        self._c('correct', _lib.enc(unit), _lib.enc(item), value, _lib.enc(reason), _lib.to_time(at, 'at'))

    def card(self, unit):
        """The card's totals as a dict (points, max_points, share, vetoed, ...)."""
        info = _init(self._ctx, CardInfoC, 'card_info_init')
        _lib.call(self._ctx, F['card_totals'], byref(info), self._p, _lib.enc(unit))
        d = _fields(info)
        d['closed'], d['vetoed'] = bool(info.closed), bool(info.vetoed)
        return d

    def card_items(self, unit):
        """Each item's result on `unit`'s card, in template order (dicts)."""
        out = []
        for i in range(F['template_item_count'](self._template._p)):
            r = _init(self._ctx, ItemResultC, 'item_result_init')
            _lib.call(self._ctx, F['card_item'], byref(r), self._p, _lib.enc(unit), i)
            d = _fields(r)
            d['rule'] = _lib.enum_out(Rule, r.rule)
            d['has_value'], d['na'], d['clamped'] = bool(r.has_value), bool(r.na), bool(r.clamped)
            out.append(d)
        return out

    def card_vetoes(self, unit):
        """[(rule, reason)] that vetoed the card."""
        out = []
        rule, reason = c_char_p(), c_char_p()
        for i in range(self.card(unit)['veto_count']):
            _lib.call(self._ctx, F['card_veto'], byref(rule), byref(reason), self._p, _lib.enc(unit), i)
            out.append((_lib.dec(rule.value), _lib.dec(reason.value)))
        return out

    def export_card(self, unit, format='markdown', sink=None):
        return _lib.export(self._ctx, F['card_export'], self._p, _lib.enc(unit), _lib.enum_value(Format, format),
                           sink=sink, writer_pos=2)


class Ranking(_lib.Handle):
    """Units ranked over periods by card share or by the composite."""
    _free_fn = staticmethod(F['ranking_free'])

    def __init__(self, template, label, basis='card'):
        out = HANDLE()
        _lib.call(template._ctx, F['ranking_new'], byref(out), template._p, _lib.enc(label),
                  _lib.enum_value(Basis, basis))
        super().__init__(template._ctx, out.value)

    def _c(self, fn, *args):
        _lib.call(self._ctx, F['ranking_' + fn], self._p, *args)

    def add_period(self, period):
        self._c('add_period', period._p)

    def set_satisfaction(self, unit, satisfaction):
        self._c('set_satisfaction', _lib.enc(unit), satisfaction)

    def set_csat(self, unit, csat_mean):
        self._c('set_csat', _lib.enc(unit), csat_mean)

    def set_previous(self, previous):
        self._c('set_previous', previous._p)

    def compute(self):
        self._c('compute')

    def entries(self):
        out = []
        for i in range(F['ranking_count'](self._p)):
            e = _init(self._ctx, RankEntryC, 'rank_entry_init')
            _lib.call(self._ctx, F['ranking_entry'], byref(e), self._p, i)
            d = _fields(e)
            d['vetoed'], d['has_previous'] = bool(e.vetoed), bool(e.has_previous)
            out.append(d)
        return out

    def export(self, format='markdown', sink=None):
        return _lib.export(self._ctx, F['ranking_export'], self._p, _lib.enum_value(Format, format), sink=sink,
                           writer_pos=1)
