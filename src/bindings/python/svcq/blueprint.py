"""Service blueprints (svcq/blueprint.h): touchpoints, risk points, and the
incident archive drawn on top.

A ``Blueprint`` holds the steps of one service in the order the customer
meets them (each in four lanes: customer, front stage, back stage, support)
and the risk points on them with their contingencies. Edits change the
handle, each all or nothing; ``save()`` publishes a new version (compare and
swap on the record; ``svcq.ConflictError`` when another writer saved
first). ``Blueprint.load(ctx, service, version=n)`` reads a saved version
(read-only history).

An ``Overlay`` gathers the incidents of a period [since, until) as
observations given from Python; read against a blueprint it counts, per
step, the incidents, recurrences, open ones, open actions and breaches of
the targets watching the step's risk points (``Overlay.step()``). Exports
(JSON, Markdown, Mermaid, SVG) return ``str``, or stream to ``sink=``.
"""

import dataclasses
from ctypes import POINTER, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64
from typing import Optional, Sequence

from . import _lib
from ._lib import HANDLE, P, proto

Severity = _lib.enum_from_getter('Severity', 'svcq_blueprint_severity_name')
Watch = _lib.enum_from_getter('Watch', 'svcq_blueprint_watch_name')
ObsState = _lib.enum_from_getter('ObsState', 'svcq_blueprint_obs_state_name')
Line = _lib.enum_from_getter('Line', 'svcq_blueprint_line_name')

_S = c_char_p

StepSpec = _lib.mirror('svcq_blueprint_step_spec', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('key', _S), ('title', _S), ('customer', _S),
    ('front', _S), ('back', _S), ('support', _S), ('channel', _S), ('stage', _S), ('reserved', c_uint64 * 4)])

RiskSpec = _lib.mirror('svcq_blueprint_risk_spec', 1, [
    ('version', c_uint32), ('severity', c_int32), ('key', _S), ('step', _S), ('failure', _S),
    ('contingency', _S), ('owner', _S), ('watch_name', _S), ('watch', c_int32), ('reserved0', c_uint32),
    ('reserved', c_uint64 * 4)])

Observation = _lib.mirror('svcq_blueprint_observation', 1, [
    ('version', c_uint32), ('state', c_int32), ('step', _S), ('incident', _S), ('stage', _S), ('at', c_int64),
    ('recurrence', c_uint32), ('open_actions', c_uint32), ('breached', POINTER(c_char_p)),
    ('breached_count', c_uint32), ('reserved0', c_uint32), ('reserved', c_uint64 * 4)])

StepStatsC = _lib.mirror('svcq_blueprint_step_stats', 1, [
    ('version', c_uint32), ('incidents', c_uint32), ('recurrences', c_uint32), ('open', c_uint32),
    ('open_actions', c_uint32), ('breaches', c_uint32), ('risk_points', c_uint32), ('unplanned', c_uint32),
    ('reserved', c_uint64 * 4)])

F = {}
for _n, _r, _a in [
    ('stage_key', c_char_p, (c_uint32,)),
    ('channel_key', c_char_p, (c_uint32,)),
    ('step_spec_init', c_int, (P(StepSpec), c_uint32)),
    ('risk_spec_init', c_int, (P(RiskSpec), c_uint32)),
    ('new', c_int, (P(HANDLE), HANDLE, _S, _S)),
    ('free', None, (HANDLE,)),
    ('service', c_char_p, (HANDLE,)),
    ('title', c_char_p, (HANDLE,)),
    ('version', c_uint32, (HANDLE,)),
    ('revision', c_uint64, (HANDLE,)),
    ('changed', c_int32, (HANDLE,)),
    ('set_title', c_int, (HANDLE, _S)),
    ('add_step', c_int, (HANDLE, P(StepSpec), c_int32)),
    ('update_step', c_int, (HANDLE, _S, P(StepSpec))),
    ('move_step', c_int, (HANDLE, _S, c_int32)),
    ('remove_step', c_int, (HANDLE, _S)),
    ('step_count', c_size_t, (HANDLE,)),
    ('step', c_int, (P(StepSpec), HANDLE, c_size_t)),
    ('step_index', c_int64, (HANDLE, _S)),
    ('step_crosses', c_int32, (HANDLE, _S, c_int32)),
    ('add_risk', c_int, (HANDLE, P(RiskSpec))),
    ('update_risk', c_int, (HANDLE, _S, P(RiskSpec))),
    ('remove_risk', c_int, (HANDLE, _S)),
    ('risk_count', c_size_t, (HANDLE,)),
    ('risk', c_int, (P(RiskSpec), HANDLE, c_size_t)),
    ('export_json', c_int, (HANDLE, P(_lib.Writer), c_uint32)),
    ('import_json', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t)),
    ('save', c_int, (HANDLE,)),
    ('load', c_int, (P(HANDLE), HANDLE, _S)),
    ('load_version', c_int, (P(HANDLE), HANDLE, _S, c_uint32)),
    ('observation_init', c_int, (P(Observation), c_uint32)),
    ('step_stats_init', c_int, (P(StepStatsC), c_uint32)),
    ('overlay_new', c_int, (P(HANDLE), HANDLE, c_int64, c_int64)),
    ('overlay_free', None, (HANDLE,)),
    ('overlay_add', c_int, (HANDLE, P(Observation))),
    ('overlay_count', c_size_t, (HANDLE,)),
    ('overlay_skipped', c_size_t, (HANDLE,)),
    ('overlay_step', c_int, (P(StepStatsC), HANDLE, HANDLE, _S)),
    ('overlay_risk_breaches', c_int, (P(c_uint32), HANDLE, HANDLE, _S)),
    ('overlay_unplaced', c_size_t, (HANDLE, HANDLE)),
    ('overlay_unplaced_in_stage', c_size_t, (HANDLE, HANDLE, _S)),
    ('export_markdown', c_int, (HANDLE, P(_lib.Writer), HANDLE)),
    ('export_mermaid', c_int, (HANDLE, P(_lib.Writer))),
    ('export_svg', c_int, (HANDLE, P(_lib.Writer), HANDLE)),
]:
    F[_n] = proto('svcq_blueprint_' + _n, _r, *_a)


def _keys(fn):
    out, i = [], 0
    while True:
        k = F[fn](i)
        if k is None:
            return out
        out.append(k.decode())
        i += 1


def stage_keys():
    """The shared service-stage keys, in order ("reception", ...)."""
    return _keys('stage_key')


def channel_keys():
    """The shared channel keys, in order ("phone", ...)."""
    return _keys('channel_key')


def _text(value):
    return None if value is None else _lib.enc(value)


@dataclasses.dataclass
class Step:
    """A touchpoint: its key, title and service stage, and what happens in each lane."""
    key: str
    title: str
    stage: str
    customer: Optional[str] = None
    front: Optional[str] = None
    back: Optional[str] = None
    support: Optional[str] = None
    channel: Optional[str] = None

    def _c(self, with_key=True):
        s = _lib.new_table(StepSpec, F['step_spec_init'])
        s.key = _text(self.key) if with_key else None
        for name in ('title', 'stage', 'customer', 'front', 'back', 'support', 'channel'):
            setattr(s, name, _text(getattr(self, name)))
        return s

    @classmethod
    def _from(cls, s):
        return cls(**{f.name: _lib.dec(getattr(s, f.name)) for f in dataclasses.fields(cls)})


@dataclasses.dataclass
class Risk:
    """A risk point on a step: what can go wrong, its severity, the
    contingency and its owner, and what watches it (an SLA target or an
    indicator, by name; ``watch`` defaults to SLA_TARGET when a name is given)."""
    key: str
    step: str
    failure: str
    severity: object = 'medium'
    contingency: Optional[str] = None
    owner: Optional[str] = None
    watch_name: Optional[str] = None
    watch: object = None

    def _c(self, with_key=True):
        s = _lib.new_table(RiskSpec, F['risk_spec_init'])
        s.key = _text(self.key) if with_key else None
        s.step, s.failure = _text(self.step), _text(self.failure)
        s.contingency, s.owner, s.watch_name = _text(self.contingency), _text(self.owner), _text(self.watch_name)
        s.severity = _lib.enum_value(Severity, self.severity)
        watch = self.watch
        if watch is None:
            watch = Watch.SLA_TARGET if self.watch_name is not None else Watch.NONE
        s.watch = _lib.enum_value(Watch, watch)
        return s

    @classmethod
    def _from(cls, s):
        return cls(key=_lib.dec(s.key), step=_lib.dec(s.step), failure=_lib.dec(s.failure),
                   severity=_lib.enum_out(Severity, s.severity), contingency=_lib.dec(s.contingency),
                   owner=_lib.dec(s.owner), watch_name=_lib.dec(s.watch_name),
                   watch=_lib.enum_out(Watch, s.watch))


@dataclasses.dataclass
class StepStats:
    """What an overlay says about one step of a blueprint."""
    incidents: int
    recurrences: int
    open: int
    open_actions: int
    breaches: int
    risk_points: int
    unplanned: bool


def _same_ctx(a, b, what):
    if b is not None and b.ctx is not a.ctx:
        raise ValueError('%s belongs to another context' % what)


class Blueprint(_lib.Handle):
    """The blueprint of one service. ``Blueprint(ctx, service, title)`` makes
    an empty one (version 0); ``load()`` and ``import_json()`` read one."""
    _free_fn = staticmethod(F['free'])

    def __init__(self, ctx, service, title, _ptr=None):
        if _ptr is None:
            out = HANDLE()
            _lib.call(ctx, F['new'], byref(out), ctx._p, _lib.enc(service), _lib.enc(title))
            _ptr = out.value
        super().__init__(ctx, _ptr)

    @classmethod
    def load(cls, ctx, service, version=None):
        """The current blueprint of `service`, or its saved `version` (read-only history)."""
        out = HANDLE()
        if version is None:
            _lib.call(ctx, F['load'], byref(out), ctx._p, _lib.enc(service))
        else:
            _lib.call(ctx, F['load_version'], byref(out), ctx._p, _lib.enc(service), version)
        return cls(ctx, None, None, _ptr=out.value)

    @classmethod
    def import_json(cls, ctx, text):
        """A blueprint from a "svcq.blueprint/1" document (str or bytes); not bound to a record."""
        data = _lib.enc(text, 'json')
        out = HANDLE()
        _lib.call(ctx, F['import_json'], byref(out), ctx._p, data, len(data))
        return cls(ctx, None, None, _ptr=out.value)

    # -- identity
    service = property(lambda self: _lib.dec(F['service'](self._p)))
    version = property(lambda self: F['version'](self._p), doc='the version of the last save or load (0 before)')
    revision = property(lambda self: F['revision'](self._p))
    changed = property(lambda self: bool(F['changed'](self._p)))

    @property
    def title(self):
        return _lib.dec(F['title'](self._p))

    @title.setter
    def title(self, value):
        _lib.call(self._ctx, F['set_title'], self._p, _lib.enc(value))

    # -- steps
    def add_step(self, step=None, position=-1, **fields):
        """Adds a Step (or its fields as keywords) at `position` (-1: the end)."""
        step = step if step is not None else Step(**fields)
        s = step._c()
        _lib.call(self._ctx, F['add_step'], self._p, byref(s), position)

    def update_step(self, key, step=None, **fields):
        """Replaces every field of step `key` but its key and position."""
        step = step if step is not None else Step(key=key, **fields)
        s = step._c(with_key=False)
        _lib.call(self._ctx, F['update_step'], self._p, _lib.enc(key), byref(s))

    def move_step(self, key, position):
        _lib.call(self._ctx, F['move_step'], self._p, _lib.enc(key), position)

    def remove_step(self, key):
        """Removes a step; svcq.StateError names the risk points still on it."""
        _lib.call(self._ctx, F['remove_step'], self._p, _lib.enc(key))

    @property
    def steps(self):
        """The steps in order, as Step copies."""
        out = []
        for i in range(F['step_count'](self._p)):
            s = _lib.new_table(StepSpec, F['step_spec_init'])
            _lib.call(self._ctx, F['step'], byref(s), self._p, i)
            out.append(Step._from(s))
        return out

    def step_index(self, key):
        """The 0-based index of a step, or None."""
        i = F['step_index'](self._p, _lib.enc(key))
        return None if i < 0 else i

    def crosses(self, key, line):
        """Whether step `key` has something on both sides of `line` (a Line)."""
        r = F['step_crosses'](self._p, _lib.enc(key), _lib.enum_value(Line, line))
        if r < 0:
            raise KeyError('blueprint %s: no step %s (or unknown line %r)' % (self.service, key, line))
        return bool(r)

    # -- risk points
    def add_risk(self, risk=None, **fields):
        risk = risk if risk is not None else Risk(**fields)
        s = risk._c()
        _lib.call(self._ctx, F['add_risk'], self._p, byref(s))

    def update_risk(self, key, risk=None, **fields):
        risk = risk if risk is not None else Risk(key=key, **fields)
        s = risk._c(with_key=False)
        _lib.call(self._ctx, F['update_risk'], self._p, _lib.enc(key), byref(s))

    def remove_risk(self, key):
        _lib.call(self._ctx, F['remove_risk'], self._p, _lib.enc(key))

    @property
    def risks(self):
        """The risk points in the order they were added, as Risk copies."""
        out = []
        for i in range(F['risk_count'](self._p)):
            s = _lib.new_table(RiskSpec, F['risk_spec_init'])
            _lib.call(self._ctx, F['risk'], byref(s), self._p, i)
            out.append(Risk._from(s))
        return out

    # -- store
    def save(self):
        """Publishes version + 1 when something changed; returns the version."""
        _lib.call(self._ctx, F['save'], self._p)
        return self.version

    # -- exports
    def export_json(self, pretty=False, sink=None):
        flags = _lib.K('SVCQ_BLUEPRINT_JSON_PRETTY') if pretty else 0
        return _lib.export(self._ctx, F['export_json'], self._p, flags, sink=sink, writer_pos=1)

    def export_markdown(self, overlay=None, sink=None):
        """Steps, risk points and contingencies; with an Overlay, the period's incidents per step."""
        _same_ctx(self, overlay, 'overlay')
        return _lib.export(self._ctx, F['export_markdown'], self._p, overlay._p if overlay else None,
                           sink=sink, writer_pos=1)

    def export_mermaid(self, sink=None):
        return _lib.export(self._ctx, F['export_mermaid'], self._p, sink=sink)

    def export_svg(self, overlay=None, sink=None):
        """The swimlane picture; risk points coloured by the overlay's counts when given."""
        _same_ctx(self, overlay, 'overlay')
        return _lib.export(self._ctx, F['export_svg'], self._p, overlay._p if overlay else None,
                           sink=sink, writer_pos=1)

    def __repr__(self):
        if self.closed:
            return '<svcq.blueprint.Blueprint closed>'
        return '<svcq.blueprint.Blueprint %s v%d>' % (self.service, self.version)


class Overlay(_lib.Handle):
    """The incidents of the period [since, until), added one by one with ``add()``."""
    _free_fn = staticmethod(F['overlay_free'])

    def __init__(self, ctx, since, until):
        out = HANDLE()
        _lib.call(ctx, F['overlay_new'], byref(out), ctx._p, _lib.to_time(since, 'since'),
                  _lib.to_time(until, 'until'))
        super().__init__(ctx, out.value)

    def add(self, incident, at, *, step=None, stage=None, state='open', recurrence=False, open_actions=0,
            breached: Sequence[str] = ()):
        """One incident: its id, when it happened, its touchpoint (`step`),
        stage, state (ObsState or "open"/"closed"), whether it recurs, its
        open corrective actions and the SLA targets it breached. Returns
        whether it was kept (False: outside the period)."""
        o = _lib.new_table(Observation, F['observation_init'])
        o.incident, o.step, o.stage = _lib.enc(incident), _text(step), _text(stage)
        o.at = _lib.to_time(at, 'at')
        o.state = _lib.enum_value(ObsState, state)
        o.recurrence = 1 if recurrence else 0
        o.open_actions = open_actions
        names = [_lib.enc(b) for b in breached]
        arr = (c_char_p * max(len(names), 1))(*names)
        o.breached = arr if names else None
        o.breached_count = len(names)
        skipped = F['overlay_skipped'](self._p)
        _lib.call(self._ctx, F['overlay_add'], self._p, byref(o))
        return F['overlay_skipped'](self._p) == skipped

    def __len__(self):
        return F['overlay_count'](self._p)

    @property
    def skipped(self):
        """Incidents added outside the period (not kept)."""
        return F['overlay_skipped'](self._p)

    def step(self, blueprint, key):
        """StepStats of step `key` of `blueprint`."""
        _same_ctx(self, blueprint, 'blueprint')
        s = _lib.new_table(StepStatsC, F['step_stats_init'])
        _lib.call(self._ctx, F['overlay_step'], byref(s), self._p, blueprint._p, _lib.enc(key))
        return StepStats(s.incidents, s.recurrences, s.open, s.open_actions, s.breaches, s.risk_points,
                         bool(s.unplanned))

    def risk_breaches(self, blueprint, key):
        """Incidents of the risk point's step that breached the target it names."""
        _same_ctx(self, blueprint, 'blueprint')
        n = c_uint32()
        _lib.call(self._ctx, F['overlay_risk_breaches'], byref(n), self._p, blueprint._p, _lib.enc(key))
        return n.value

    def unplaced(self, blueprint, stage=...):
        """Incidents whose touchpoint is not a step of `blueprint`; with
        `stage` (a key, or None for those without one), only that stage's."""
        _same_ctx(self, blueprint, 'blueprint')
        if stage is ...:
            return F['overlay_unplaced'](self._p, blueprint._p)
        return F['overlay_unplaced_in_stage'](self._p, blueprint._p, _text(stage))
