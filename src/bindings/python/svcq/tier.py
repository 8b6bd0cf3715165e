"""Tier schemes, explained classification, clients, service profiles and
assignment (svcq/tier.h)."""

import datetime as _dt
import math
from ctypes import (CFUNCTYPE, byref, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)

from . import _lib
from ._lib import HANDLE, P, proto

AgentSpecC = _lib.mirror('svcq_agent_spec', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('id', c_char_p), ('name', c_char_p),
    ('capacity', c_int64), ('weight', c_int64), ('skills', P(c_char_p)), ('skill_count', c_uint32),
    ('reserved1', c_uint32), ('calendar', c_void_p), ('reserved', c_uint64 * 4)])

AssignRequestC = _lib.mirror('svcq_assign_request', 1, [
    ('version', c_uint32), ('tier', c_int32), ('item_id', c_char_p), ('client_id', c_char_p),
    ('skills', P(c_char_p)), ('skill_count', c_uint32), ('strategy', c_int32), ('team_id', c_char_p),
    ('at', c_int64), ('reserved', c_uint64 * 4)])

LINE_FN = CFUNCTYPE(c_int, c_uint64, c_int32, c_char_p, c_void_p)

F = {}


def _f(name, res, *args):
    F[name] = proto('svcq_' + name, res, *args)


for _n, _r, _a in [
    ('tier_scheme_new', c_int, (P(HANDLE), HANDLE, c_char_p, c_uint32)),
    ('tier_scheme_builtin', c_int, (P(HANDLE), HANDLE)),
    ('tier_scheme_free', None, (HANDLE,)),
    ('tier_scheme_add_tier', c_int, (HANDLE, c_char_p, c_char_p)),
    ('tier_scheme_add_factor', c_int, (HANDLE, c_char_p, c_char_p, c_int32, c_uint32)),
    ('tier_scheme_set_bounds', c_int, (HANDLE, c_char_p, c_double, c_double)),
    ('tier_scheme_set_input_range', c_int, (HANDLE, c_char_p, c_double, c_double)),
    ('tier_scheme_set_default', c_int, (HANDLE, c_char_p, c_double)),
    ('tier_scheme_add_band', c_int, (HANDLE, c_char_p, c_double, c_double, c_double)),
    ('tier_scheme_set_min_score', c_int, (HANDLE, c_char_p, c_double)),
    ('tier_scheme_add_condition', c_int, (HANDLE, c_char_p, c_char_p, c_int32, c_double)),
    ('tier_scheme_set_hysteresis', c_int, (HANDLE, c_uint32, c_double)),
    ('tier_scheme_finish', c_int, (HANDLE,)),
    ('tier_scheme_name', c_char_p, (HANDLE,)),
    ('tier_scheme_version', c_uint32, (HANDLE,)),
    ('tier_scheme_tier_count', c_uint32, (HANDLE,)),
    ('tier_scheme_factor_count', c_uint32, (HANDLE,)),
    ('tier_scheme_tier_key', c_char_p, (HANDLE, c_uint32)),
    ('tier_scheme_factor_key', c_char_p, (HANDLE, c_uint32)),
    ('tier_scheme_tier_rank', c_int, (P(c_uint32), HANDLE, c_char_p)),
    ('tier_scheme_factor_index', c_int, (P(c_uint32), HANDLE, c_char_p)),
    ('tier_scheme_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('tier_scheme_import_json', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t)),
    ('tier_scheme_export_markdown', c_int, (HANDLE, c_void_p)),
    ('tier_scheme_save', c_int, (HANDLE,)),
    ('tier_scheme_load', c_int, (P(HANDLE), HANDLE, c_char_p, c_uint32)),
    ('tier_scheme_revision', c_uint64, (HANDLE,)),
    ('tier_result_new', c_int, (P(HANDLE), HANDLE)),
    ('tier_result_free', None, (HANDLE,)),
    ('tier_classify', c_int, (HANDLE, HANDLE, P(c_double), c_uint32)),
    ('tier_result_rank', c_uint32, (HANDLE,)),
    ('tier_result_tier', c_char_p, (HANDLE,)),
    ('tier_result_score_milli', c_int64, (HANDLE,)),
    ('tier_result_factor', c_int, (P(c_double), P(c_int64), P(c_int64), HANDLE, c_uint32)),
    ('tier_result_rule', c_char_p, (HANDLE,)),
    ('tier_result_export_text', c_int, (HANDLE, c_void_p)),
    ('tier_result_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('client_new', c_int, (P(HANDLE), HANDLE, c_char_p, c_char_p)),
    ('client_free', None, (HANDLE,)),
    ('client_id', c_char_p, (HANDLE,)),
    ('client_name', c_char_p, (HANDLE,)),
    ('client_revision', c_uint64, (HANDLE,)),
    ('client_classified_tier', c_char_p, (HANDLE,)),
    ('client_periods_below', c_uint32, (HANDLE,)),
    ('client_reclassify', c_int, (HANDLE, HANDLE, P(c_double), c_uint32, c_int64, c_char_p, HANDLE)),
    ('client_override', c_int, (HANDLE, HANDLE, c_char_p, c_int64, c_int64, c_char_p, c_char_p)),
    ('client_clear_override', c_int, (HANDLE, c_int64, c_char_p)),
    ('client_tier_at', c_int, (P(c_char_p), P(c_uint32), HANDLE, c_int64)),
    ('client_history_count', c_uint32, (HANDLE,)),
    ('client_history_at', c_int, (P(c_int64), P(c_int64), P(c_char_p), P(c_uint32), P(c_int32), P(c_char_p),
                                  P(c_char_p), P(c_char_p), P(c_uint32), HANDLE, c_uint32)),
    ('client_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('client_import_json', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t)),
    ('client_save', c_int, (HANDLE,)),
    ('client_load', c_int, (P(HANDLE), HANDLE, c_char_p)),
    ('client_import_lines', c_int, (P(c_uint64), P(c_uint64), HANDLE, c_char_p, c_size_t, LINE_FN, c_void_p)),
    ('client_export_history_markdown', c_int, (HANDLE, HANDLE, c_void_p)),
    ('client_move_clocks', c_int, (P(c_uint32), HANDLE, HANDLE, HANDLE, P(HANDLE), c_uint32, P(c_char_p),
                                   c_uint32, c_int64)),
    ('tier_distribution_new', c_int, (P(HANDLE), HANDLE, c_int64, c_int64)),
    ('tier_distribution_free', None, (HANDLE,)),
    ('tier_distribution_add', c_int, (HANDLE, HANDLE)),
    ('tier_distribution_get', c_int, (P(c_uint64), P(c_uint64), P(c_uint64), HANDLE, c_uint32)),
    ('tier_distribution_export_markdown', c_int, (HANDLE, c_void_p)),
    ('tier_distribution_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('tier_profiles_new', c_int, (P(HANDLE), HANDLE, c_uint32)),
    ('tier_profiles_free', None, (HANDLE,)),
    ('tier_profiles_levels', c_uint32, (HANDLE,)),
    ('tier_profiles_set_policy', c_int, (HANDLE, c_int32, c_char_p, c_uint32)),
    ('tier_profiles_policy', c_char_p, (P(c_uint32), HANDLE, c_int32)),
    ('tier_profiles_set_channels', c_int, (HANDLE, c_int32, c_uint32)),
    ('tier_profiles_channels', c_uint32, (HANDLE, c_int32)),
    ('tier_profiles_set_assignment', c_int, (HANDLE, c_int32, c_int32, c_char_p)),
    ('tier_profiles_strategy', c_int32, (HANDLE, c_int32)),
    ('tier_profiles_team', c_char_p, (HANDLE, c_int32)),
    ('tier_profiles_set_resource', c_int, (HANDLE, c_int32, c_char_p, c_uint32)),
    ('tier_profiles_resource_count', c_size_t, (HANDLE, c_int32)),
    ('tier_profiles_resource_at', c_int, (P(c_char_p), P(c_uint32), HANDLE, c_int32, c_size_t)),
    ('tier_profiles_set_report', c_int, (HANDLE, c_int32, c_int32)),
    ('tier_profiles_report', c_int32, (HANDLE, c_int32)),
    ('tier_profiles_set_evaluation', c_int, (HANDLE, c_int32, c_int32, c_int32)),
    ('tier_profiles_evaluation', c_int32, (HANDLE, c_int32, c_int32)),
    ('tier_profiles_set_note', c_int, (HANDLE, c_int32, c_char_p)),
    ('tier_profiles_note', c_char_p, (HANDLE, c_int32)),
    ('tier_profiles_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('tier_profiles_import_json', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t)),
    ('tier_profiles_export_markdown', c_int, (HANDLE, c_void_p)),
    ('tier_profiles_save', c_int, (HANDLE, c_char_p)),
    ('tier_profiles_load', c_int, (P(HANDLE), HANDLE, c_char_p)),
    ('tier_profiles_delete', c_int, (HANDLE,)),
    ('tier_profiles_id', c_char_p, (HANDLE,)),
    ('tier_profiles_revision', c_uint64, (HANDLE,)),
    ('agent_spec_init', c_int, (P(AgentSpecC), c_uint32)),
    ('assign_request_init', c_int, (P(AssignRequestC), c_uint32)),
    ('assigner_new', c_int, (P(HANDLE), HANDLE)),
    ('assigner_free', None, (HANDLE,)),
    ('assigner_put_agent', c_int, (HANDLE, P(AgentSpecC))),
    ('assigner_remove_agent', c_int, (HANDLE, c_char_p)),
    ('assigner_set_absent', c_int, (HANDLE, c_char_p, c_int64)),
    ('assigner_put_team', c_int, (HANDLE, c_char_p, c_char_p, c_int32, P(c_char_p), c_size_t)),
    ('assigner_set_route', c_int, (HANDLE, c_int32, c_int32, c_char_p)),
    ('assigner_use_profiles', c_int, (HANDLE, HANDLE)),
    ('assigner_set_named_agent', c_int, (HANDLE, c_char_p, c_char_p)),
    ('assigner_named_agent', c_char_p, (HANDLE, c_char_p)),
    ('assigner_assign', c_int, (HANDLE, HANDLE, P(AssignRequestC))),
    ('assigner_preview', c_int, (HANDLE, HANDLE, P(AssignRequestC))),
    ('assigner_release', c_int, (HANDLE, c_char_p)),
    ('assigner_agent_load', c_int, (P(c_uint64), HANDLE, c_char_p)),
    ('assigner_item_agent', c_char_p, (HANDLE, c_char_p)),
    ('assigner_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('assigner_import_json', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t, c_char_p)),
    ('assigner_save', c_int, (HANDLE, c_char_p)),
    ('assigner_load', c_int, (P(HANDLE), HANDLE, c_char_p, c_char_p)),
    ('assigner_id', c_char_p, (HANDLE,)),
    ('assigner_revision', c_uint64, (HANDLE,)),
    ('assignment_new', c_int, (P(HANDLE), HANDLE)),
    ('assignment_free', None, (HANDLE,)),
    ('assignment_agent', c_char_p, (HANDLE,)),
    ('assignment_team', c_char_p, (HANDLE,)),
    ('assignment_strategy', c_int32, (HANDLE,)),
    ('assignment_fallback', c_int32, (HANDLE,)),
    ('assignment_skipped_count', c_size_t, (HANDLE,)),
    ('assignment_skipped_at', c_int, (P(c_char_p), P(c_int32), P(c_char_p), HANDLE, c_size_t)),
    ('assignment_explain', c_int, (HANDLE, c_void_p)),
    ('assignment_export_json', c_int, (HANDLE, c_void_p, c_uint32)),
]:
    _f(_n, _r, *_a)

Group = _lib.enum_from_getter('Group', 'svcq_tier_group_name')
Norm = _lib.enum_from_getter('Norm', 'svcq_tier_norm_name')
Op = _lib.enum_from_getter('Op', 'svcq_tier_op_name')
Change = _lib.enum_from_getter('Change', 'svcq_tier_change_name')
Channel = _lib.enum_from_getter('Channel', 'svcq_service_channel_name')
Strategy = _lib.enum_from_getter('Strategy', 'svcq_assign_strategy_name')
Recipient = _lib.enum_from_getter('Recipient', 'svcq_report_recipient_name')
EvalMetric = _lib.enum_from_getter('EvalMetric', 'svcq_eval_metric_name')
EvalPeriod = _lib.enum_from_getter('EvalPeriod', 'svcq_eval_period_name')
TeamKind = _lib.enum_from_getter('TeamKind', 'svcq_team_kind_name')
Skip = _lib.enum_from_getter('Skip', 'svcq_assign_skip_name')

_JSON_PRETTY = _lib.K('SVCQ_TIER_JSON_PRETTY')


def _pretty(p):
    return _JSON_PRETTY if p else 0


def _new(ctx, fn, *args):
    out = HANDLE()
    _lib.call(ctx, F[fn], byref(out), *args)
    return out.value


def _strings(items):
    items = [_lib.enc(s) for s in items]
    return (c_char_p * max(len(items), 1))(*items), len(items)


class TierScheme(_lib.Handle):
    """A tier scheme: tiers, weighted factors, rules; finish() before classifying."""
    _free_fn = staticmethod(F['tier_scheme_free'])

    def __init__(self, ctx, name, version=1, _ptr=None):
        if _ptr is None:
            _ptr = _new(ctx, 'tier_scheme_new', ctx._p, _lib.enc(name), version)
        super().__init__(ctx, _ptr)

    @classmethod
    def builtin(cls, ctx):
        """The scheme of the domain model: special, tier 1, 2, 3 over value, influence, complexity."""
        return cls(ctx, None, _ptr=_new(ctx, 'tier_scheme_builtin', ctx._p))

    def _c(self, fn, *args):
        _lib.call(self._ctx, F['tier_scheme_' + fn], self._p, *args)

    def add_tier(self, key, name):
        self._c('add_tier', _lib.enc(key), _lib.enc(name))

    def add_factor(self, key, name, group, weight):
        self._c('add_factor', _lib.enc(key), _lib.enc(name), _lib.enum_value(Group, group), weight)

    def set_bounds(self, factor, lo, hi):
        self._c('set_bounds', _lib.enc(factor), lo, hi)

    def set_input_range(self, factor, lo, hi):
        self._c('set_input_range', _lib.enc(factor), lo, hi)

    def set_default(self, factor, value):
        self._c('set_default', _lib.enc(factor), value)

    def add_band(self, factor, lo, hi, points):
        self._c('add_band', _lib.enc(factor), lo, hi, points)

    def set_min_score(self, tier, score):
        self._c('set_min_score', _lib.enc(tier), score)

    def add_condition(self, tier, factor, op, value):
        self._c('add_condition', _lib.enc(tier), _lib.enc(factor), _lib.enum_value(Op, op), value)

    def set_hysteresis(self, demote_periods, demote_margin):
        self._c('set_hysteresis', demote_periods, demote_margin)

    def finish(self):
        self._c('finish')

    @property
    def name(self):
        return _lib.dec(F['tier_scheme_name'](self._p))

    @property
    def version(self):
        return F['tier_scheme_version'](self._p)

    @property
    def tiers(self):
        """Tier keys by rank (0 is the highest)."""
        return [_lib.dec(F['tier_scheme_tier_key'](self._p, i)) for i in range(F['tier_scheme_tier_count'](self._p))]

    @property
    def factors(self):
        """Factor keys in input order."""
        return [_lib.dec(F['tier_scheme_factor_key'](self._p, i))
                for i in range(F['tier_scheme_factor_count'](self._p))]

    def tier_rank(self, key):
        out = c_uint32()
        _lib.call(self._ctx, F['tier_scheme_tier_rank'], byref(out), self._p, _lib.enc(key))
        return out.value

    def values(self, values):
        """Inputs in factor order from a dict {factor: value} (missing: NaN) or a sequence."""
        keys = self.factors
        if isinstance(values, dict):
            unknown = set(values) - set(keys)
            if unknown:
                raise KeyError('scheme %s has no factor %s' % (self.name, ', '.join(sorted(unknown))))
            seq = [values.get(k, math.nan) for k in keys]
        else:
            seq = list(values)
        return (c_double * max(len(seq), 1))(*[float(v) if v is not None else math.nan for v in seq]), len(seq)

    def classify(self, values):
        """Classifies one set of inputs: a TierResult with its explanation."""
        r = TierResult(self._ctx)
        arr, n = self.values(values)
        _lib.call(self._ctx, F['tier_classify'], r._p, self._p, arr, n)
        r._factors = self.factors
        return r

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['tier_scheme_export_json'], self._p, _pretty(pretty), sink=sink,
                           writer_pos=1)

    def export_markdown(self, sink=None):
        return _lib.export(self._ctx, F['tier_scheme_export_markdown'], self._p, sink=sink)

    @classmethod
    def import_json(cls, ctx, text):
        data = _lib.enc(text)
        return cls(ctx, None, _ptr=_new(ctx, 'tier_scheme_import_json', ctx._p, data, len(data)))

    def save(self):
        self._c('save')

    @classmethod
    def load(cls, ctx, name, version):
        return cls(ctx, None, _ptr=_new(ctx, 'tier_scheme_load', ctx._p, _lib.enc(name), version))

    @property
    def revision(self):
        return F['tier_scheme_revision'](self._p)


class TierResult(_lib.Handle):
    """One classification: tier, score, each factor's points, the deciding rule."""
    _free_fn = staticmethod(F['tier_result_free'])

    def __init__(self, ctx):
        super().__init__(ctx, _new(ctx, 'tier_result_new', ctx._p))
        self._factors = None

    @property
    def rank(self):
        return F['tier_result_rank'](self._p)

    @property
    def tier(self):
        return _lib.dec(F['tier_result_tier'](self._p))

    @property
    def score(self):
        """The score in thousandths of a point (exact integer arithmetic)."""
        return F['tier_result_score_milli'](self._p)

    @property
    def rule(self):
        return _lib.dec(F['tier_result_rule'](self._p))

    def factor(self, index):
        """(input, points_milli, contribution_milli) of factor `index`."""
        i, p, c = c_double(), c_int64(), c_int64()
        _lib.call(self._ctx, F['tier_result_factor'], byref(i), byref(p), byref(c), self._p, index)
        return i.value, p.value, c.value

    @property
    def factors(self):
        """{factor key: (input, points_milli, contribution_milli)} when the scheme is known."""
        keys = self._factors or []
        return {k: self.factor(i) for i, k in enumerate(keys)}

    def explain(self, sink=None):
        """The explanation as text (svcq_tier_result_export_text)."""
        return _lib.export(self._ctx, F['tier_result_export_text'], self._p, sink=sink)

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['tier_result_export_json'], self._p, _pretty(pretty), sink=sink,
                           writer_pos=1)


class Client(_lib.Handle):
    """A client and its effective-dated tier history (a stored lifecycle record)."""
    _free_fn = staticmethod(F['client_free'])

    def __init__(self, ctx, id, name=None, _ptr=None):
        if _ptr is None:
            _ptr = _new(ctx, 'client_new', ctx._p, _lib.enc(id), _lib.enc(name))
        super().__init__(ctx, _ptr)

    @property
    def id(self):
        return _lib.dec(F['client_id'](self._p))

    @property
    def name(self):
        return _lib.dec(F['client_name'](self._p))

    @property
    def revision(self):
        return F['client_revision'](self._p)

    @property
    def classified_tier(self):
        return _lib.dec(F['client_classified_tier'](self._p))

    @property
    def periods_below(self):
        return F['client_periods_below'](self._p)

    def reclassify(self, scheme, values, at, actor):
        """One period's classification, written through; returns the TierResult."""
        r = TierResult(self._ctx)
        arr, n = scheme.values(values)
        _lib.call(self._ctx, F['client_reclassify'], self._p, scheme._p, arr, n, _lib.to_time(at, 'at'),
                  _lib.enc(actor), r._p)
        r._factors = scheme.factors
        return r

    def override(self, scheme, tier, at, expires, reason, actor):
        _lib.call(self._ctx, F['client_override'], self._p, scheme._p, _lib.enc(tier), _lib.to_time(at, 'at'),
                  _lib.to_time(expires, 'expires') if expires is not None else _lib.NEVER, _lib.enc(reason),
                  _lib.enc(actor))

    def clear_override(self, at, actor):
        _lib.call(self._ctx, F['client_clear_override'], self._p, _lib.to_time(at, 'at'), _lib.enc(actor))

    def tier_at(self, at):
        """(tier key, rank) in force at `at`."""
        tier, rank = c_char_p(), c_uint32()
        _lib.call(self._ctx, F['client_tier_at'], byref(tier), byref(rank), self._p, _lib.to_time(at, 'at'))
        return _lib.dec(tier.value), rank.value

    def history(self):
        """[dict(start, end, tier, rank, kind, reason, actor, scheme, scheme_version)], oldest first."""
        out = []
        frm, to, tier, rank, kind = c_int64(), c_int64(), c_char_p(), c_uint32(), c_int32()
        reason, actor, scheme, sv = c_char_p(), c_char_p(), c_char_p(), c_uint32()
        for i in range(F['client_history_count'](self._p)):
            _lib.call(self._ctx, F['client_history_at'], byref(frm), byref(to), byref(tier), byref(rank),
                      byref(kind), byref(reason), byref(actor), byref(scheme), byref(sv), self._p, i)
            out.append(dict(start=_lib.from_time(frm.value), end=_lib.from_time(to.value),
                            tier=_lib.dec(tier.value), rank=rank.value, kind=_lib.enum_out(Change, kind.value),
                            reason=_lib.dec(reason.value), actor=_lib.dec(actor.value),
                            scheme=_lib.dec(scheme.value), scheme_version=sv.value))
        return out

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['client_export_json'], self._p, _pretty(pretty), sink=sink, writer_pos=1)

    def export_history_markdown(self, tz=None, sink=None):
        return _lib.export(self._ctx, F['client_export_history_markdown'], self._p,
                           tz._p if tz is not None else None, sink=sink)

    @classmethod
    def import_json(cls, ctx, text):
        data = _lib.enc(text)
        return cls(ctx, None, _ptr=_new(ctx, 'client_import_json', ctx._p, data, len(data)))

    def save(self):
        _lib.call(self._ctx, F['client_save'], self._p)

    @classmethod
    def load(cls, ctx, id):
        return cls(ctx, None, _ptr=_new(ctx, 'client_load', ctx._p, _lib.enc(id)))

    @staticmethod
    def import_lines(ctx, text, on_error=None):
        """Bulk import of JSON lines; on_error(line, SvcqError) for each bad line.
        Returns (imported, failed)."""
        def cb(line, code, message, user):
            if on_error is not None:
                on_error(line, _lib._errors.error_for(code, _lib.dec(message)))
            return 0
        fn = LINE_FN(_lib.guard(ctx._pending, cb, _lib.EABORTED))
        data = _lib.enc(text)
        imported, failed = c_uint64(), c_uint64()
        _lib.call(ctx, F['client_import_lines'], byref(imported), byref(failed), ctx._p, data, len(data), fn, None)
        return imported.value, failed.value

    def move_clocks(self, scheme, scheduler, tier_policies, subjects, at):
        """Moves the open clocks of `subjects` to the policy of the client's tier at `at`."""
        pols = (HANDLE * max(len(tier_policies), 1))(*[p._p for p in tier_policies])
        subs, n = _strings(subjects)
        moved = c_uint32()
        _lib.call(self._ctx, F['client_move_clocks'], byref(moved), self._p, scheme._p, scheduler._p, pols,
                  len(tier_policies), subs, n, _lib.to_time(at, 'at'))
        return moved.value


class TierDistribution(_lib.Handle):
    """How many clients per tier over [start, end), and who moved up or down."""
    _free_fn = staticmethod(F['tier_distribution_free'])

    def __init__(self, scheme, start, end):
        super().__init__(scheme._ctx, _new(scheme._ctx, 'tier_distribution_new', scheme._p,
                                           _lib.to_time(start, 'start'), _lib.to_time(end, 'end')))
        self._scheme = scheme

    def add(self, client):
        _lib.call(self._ctx, F['tier_distribution_add'], self._p, client._p)

    def get(self, rank):
        """(clients, moved_up, moved_down) of a tier rank."""
        a, b, c = c_uint64(), c_uint64(), c_uint64()
        _lib.call(self._ctx, F['tier_distribution_get'], byref(a), byref(b), byref(c), self._p, rank)
        return a.value, b.value, c.value

    def export_markdown(self, sink=None):
        return _lib.export(self._ctx, F['tier_distribution_export_markdown'], self._p, sink=sink)

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['tier_distribution_export_json'], self._p, _pretty(pretty), sink=sink,
                           writer_pos=1)


class TierProfiles(_lib.Handle):
    """The service profile of each tier level (policy, channels, assignment, resources ...)."""
    _free_fn = staticmethod(F['tier_profiles_free'])

    def __init__(self, ctx, levels=4, _ptr=None):
        if _ptr is None:
            _ptr = _new(ctx, 'tier_profiles_new', ctx._p, levels)
        super().__init__(ctx, _ptr)

    def _c(self, fn, *args):
        _lib.call(self._ctx, F['tier_profiles_' + fn], self._p, *args)

    @property
    def levels(self):
        return F['tier_profiles_levels'](self._p)

    def set_policy(self, level, name, version):
        self._c('set_policy', int(level), _lib.enc(name), version)

    def policy(self, level):
        v = c_uint32()
        name = F['tier_profiles_policy'](byref(v), self._p, int(level))
        return (_lib.dec(name), v.value) if name else None

    def set_channels(self, level, channels):
        mask = 0
        for c in channels:
            mask |= _lib.enum_value(Channel, c)
        self._c('set_channels', int(level), mask)

    def channels(self, level):
        mask = F['tier_profiles_channels'](self._p, int(level))
        return [c for c in Channel if mask & c]

    def set_assignment(self, level, strategy, team_id=None):
        self._c('set_assignment', int(level), _lib.enum_value(Strategy, strategy), _lib.enc(team_id))

    def strategy(self, level):
        return _lib.enum_out(Strategy, F['tier_profiles_strategy'](self._p, int(level)))

    def team(self, level):
        return _lib.dec(F['tier_profiles_team'](self._p, int(level)))

    def set_resource(self, level, role, count):
        self._c('set_resource', int(level), _lib.enc(role), count)

    def resources(self, level):
        role, count = c_char_p(), c_uint32()
        out = {}
        for i in range(F['tier_profiles_resource_count'](self._p, int(level))):
            _lib.call(self._ctx, F['tier_profiles_resource_at'], byref(role), byref(count), self._p, int(level), i)
            out[_lib.dec(role.value)] = count.value
        return out

    def set_report(self, level, recipient):
        self._c('set_report', int(level), _lib.enum_value(Recipient, recipient))

    def report(self, level):
        return _lib.enum_out(Recipient, F['tier_profiles_report'](self._p, int(level)))

    def set_evaluation(self, level, metric, period):
        self._c('set_evaluation', int(level), _lib.enum_value(EvalMetric, metric),
                _lib.enum_value(EvalPeriod, period))

    def evaluation(self, level, metric):
        return _lib.enum_out(EvalPeriod, F['tier_profiles_evaluation'](self._p, int(level),
                                                                      _lib.enum_value(EvalMetric, metric)))

    def set_note(self, level, note):
        self._c('set_note', int(level), _lib.enc(note))

    def note(self, level):
        return _lib.dec(F['tier_profiles_note'](self._p, int(level)))

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['tier_profiles_export_json'], self._p, _pretty(pretty), sink=sink,
                           writer_pos=1)

    def export_markdown(self, sink=None):
        return _lib.export(self._ctx, F['tier_profiles_export_markdown'], self._p, sink=sink)

    @classmethod
    def import_json(cls, ctx, text):
        data = _lib.enc(text)
        return cls(ctx, _ptr=_new(ctx, 'tier_profiles_import_json', ctx._p, data, len(data)))

    def save(self, id=None):
        self._c('save', _lib.enc(id if id is not None else self.id))

    @classmethod
    def load(cls, ctx, id):
        return cls(ctx, _ptr=_new(ctx, 'tier_profiles_load', ctx._p, _lib.enc(id)))

    def delete(self):
        self._c('delete')

    @property
    def id(self):
        return _lib.dec(F['tier_profiles_id'](self._p))

    @property
    def revision(self):
        return F['tier_profiles_revision'](self._p)


class Assignment(_lib.Handle):
    """One assignment decision, with the agents skipped and why."""
    _free_fn = staticmethod(F['assignment_free'])

    def __init__(self, ctx):
        super().__init__(ctx, _new(ctx, 'assignment_new', ctx._p))

    @property
    def agent(self):
        return _lib.dec(F['assignment_agent'](self._p))

    @property
    def team(self):
        return _lib.dec(F['assignment_team'](self._p))

    @property
    def strategy(self):
        return _lib.enum_out(Strategy, F['assignment_strategy'](self._p))

    @property
    def fallback(self):
        return bool(F['assignment_fallback'](self._p))

    def skipped(self):
        """[(agent id, Skip reason, detail)]."""
        a, r, d = c_char_p(), c_int32(), c_char_p()
        out = []
        for i in range(F['assignment_skipped_count'](self._p)):
            _lib.call(self._ctx, F['assignment_skipped_at'], byref(a), byref(r), byref(d), self._p, i)
            out.append((_lib.dec(a.value), _lib.enum_out(Skip, r.value), _lib.dec(d.value)))
        return out

    def explain(self, sink=None):
        return _lib.export(self._ctx, F['assignment_explain'], self._p, sink=sink)

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['assignment_export_json'], self._p, _pretty(pretty), sink=sink,
                           writer_pos=1)


class Assigner(_lib.Handle):
    """Agents, teams and routes per tier; explained assignment decisions."""
    _free_fn = staticmethod(F['assigner_free'])

    def __init__(self, ctx, _ptr=None):
        if _ptr is None:
            _ptr = _new(ctx, 'assigner_new', ctx._p)
        super().__init__(ctx, _ptr)

    def _c(self, fn, *args):
        _lib.call(self._ctx, F['assigner_' + fn], self._p, *args)

    def put_agent(self, id, name=None, capacity=0, weight=0, skills=(), calendar=None):
        spec = AgentSpecC()
        _lib.call(self._ctx, F['agent_spec_init'], byref(spec), AgentSpecC.VERSION)
        sk, n = _strings(skills)
        spec.id, spec.name, spec.capacity, spec.weight = _lib.enc(id), _lib.enc(name), capacity, weight
        spec.skills, spec.skill_count = (sk if n else None), n
        spec.calendar = calendar._p if calendar is not None else None
        self._c('put_agent', byref(spec))

    def remove_agent(self, id):
        self._c('remove_agent', _lib.enc(id))

    def set_absent(self, agent_id, until):
        self._c('set_absent', _lib.enc(agent_id), _lib.to_time(until, 'until'))

    def put_team(self, id, name, kind, members):
        arr, n = _strings(members)
        self._c('put_team', _lib.enc(id), _lib.enc(name), _lib.enum_value(TeamKind, kind), arr, n)

    def set_route(self, tier, strategy, team_id=None):
        self._c('set_route', int(tier), _lib.enum_value(Strategy, strategy), _lib.enc(team_id))

    def use_profiles(self, profiles):
        self._c('use_profiles', profiles._p)

    def set_named_agent(self, client_id, agent_id):
        self._c('set_named_agent', _lib.enc(client_id), _lib.enc(agent_id))

    def named_agent(self, client_id):
        return _lib.dec(F['assigner_named_agent'](self._p, _lib.enc(client_id)))

    def _request(self, tier, item_id, at, client_id, skills, strategy, team_id):
        r = AssignRequestC()
        _lib.call(self._ctx, F['assign_request_init'], byref(r), AssignRequestC.VERSION)
        sk, n = _strings(skills)
        r.tier, r.item_id, r.client_id = int(tier), _lib.enc(item_id), _lib.enc(client_id)
        r.skills, r.skill_count = (sk if n else None), n
        if strategy is not None:
            r.strategy = _lib.enum_value(Strategy, strategy)
        r.team_id, r.at = _lib.enc(team_id), _lib.to_time(at, 'at')
        return r, sk

    def assign(self, tier, item_id, at, client_id=None, skills=(), strategy=None, team_id=None, preview=False):
        """Assigns (or with preview=True only previews) an item; returns the Assignment."""
        d = Assignment(self._ctx)
        r, keep = self._request(tier, item_id, at, client_id, skills, strategy, team_id)
        _lib.call(self._ctx, F['assigner_preview' if preview else 'assigner_assign'], d._p, self._p, byref(r))
        return d

    def release(self, item_id):
        self._c('release', _lib.enc(item_id))

    def agent_load(self, agent_id):
        out = c_uint64()
        _lib.call(self._ctx, F['assigner_agent_load'], byref(out), self._p, _lib.enc(agent_id))
        return out.value

    def item_agent(self, item_id):
        return _lib.dec(F['assigner_item_agent'](self._p, _lib.enc(item_id)))

    def export_json(self, pretty=False, sink=None):
        return _lib.export(self._ctx, F['assigner_export_json'], self._p, _pretty(pretty), sink=sink,
                           writer_pos=1)

    @classmethod
    def import_json(cls, ctx, text, zoneinfo_dir=None):
        data = _lib.enc(text)
        return cls(ctx, _ptr=_new(ctx, 'assigner_import_json', ctx._p, data, len(data), _lib.enc(zoneinfo_dir)))

    def save(self, id=None):
        self._c('save', _lib.enc(id if id is not None else self.id))

    @classmethod
    def load(cls, ctx, id, zoneinfo_dir=None):
        return cls(ctx, _ptr=_new(ctx, 'assigner_load', ctx._p, _lib.enc(id), _lib.enc(zoneinfo_dir)))

    @property
    def id(self):
        return _lib.dec(F['assigner_id'](self._p))

    @property
    def revision(self):
        return F['assigner_revision'](self._p)
