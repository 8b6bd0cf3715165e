"""SLA policies, clocks, the scheduler and its notices, replay (svcq/sla.h)."""

import ctypes
import dataclasses
import datetime as _dt
import weakref
from ctypes import (CFUNCTYPE, POINTER, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from typing import List, Optional

from . import _lib
from .calendar import Calendar, Tz
from ._lib import HANDLE, P, proto

_LEVELS = _lib.K('SVCQ_SLA_MAX_LEVELS')

TargetSpecC = _lib.mirror('svcq_sla_target_spec', 2, [
    ('version', c_uint32), ('reserved0', c_uint32),
    ('metric', c_char_p), ('start_event', c_char_p), ('meet_event', c_char_p), ('stop_event', c_char_p),
    ('pause_event', c_char_p), ('resume_event', c_char_p), ('duration', c_int64), ('calendar', c_void_p),
    ('warn_count', c_uint32), ('escalate_count', c_uint32),
    ('warn_percent', c_uint32 * _LEVELS), ('escalate_percent', c_uint32 * _LEVELS),
    ('recurring', c_uint32), ('duration_unit', c_uint32), ('restart_event', c_char_p),
    ('reserved', c_uint64 * 3)])

StatusC = _lib.mirror('svcq_sla_status', 1, [
    ('version', c_uint32), ('state', c_int32), ('metric', c_char_p),
    ('started_at', c_int64), ('due_at', c_int64), ('warn_at', c_int64), ('met_at', c_int64),
    ('breached_at', c_int64), ('elapsed', c_int64), ('remaining', c_int64), ('paused', c_int64),
    ('escalation_level', c_int32), ('met_count', c_uint32), ('breached_count', c_uint32),
    ('reserved0', c_uint32), ('reserved', c_uint64 * 4)])

NoticeC = _lib.mirror('svcq_sla_notice', 1, [
    ('version', c_uint32), ('kind', c_int32), ('at', c_int64), ('subject', c_char_p), ('policy', c_char_p),
    ('metric', c_char_p), ('target', c_uint32), ('level', c_int32), ('cycle', c_uint32),
    ('reserved0', c_uint32), ('clock', c_void_p)])

NOTIFY_FN = CFUNCTYPE(c_int, POINTER(NoticeC), c_void_p)

_spec_init = proto('svcq_sla_target_spec_init', c_int, P(TargetSpecC), c_uint32)
_policy_new = proto('svcq_sla_policy_new', c_int, P(HANDLE), HANDLE, c_char_p, c_uint32)
_policy_free = proto('svcq_sla_policy_free', None, HANDLE)
_add_target = proto('svcq_sla_policy_add_target', c_int, HANDLE, P(TargetSpecC))
_set_change_mode = proto('svcq_sla_policy_set_change_mode', c_int, HANDLE, c_int32)
_new_version = proto('svcq_sla_policy_new_version', c_int, P(HANDLE), HANDLE, c_uint32)
_set_close_event = proto('svcq_sla_policy_set_close_event', c_int, HANDLE, c_char_p)
_policy_name = proto('svcq_sla_policy_name', c_char_p, HANDLE)
_policy_version = proto('svcq_sla_policy_version', c_uint32, HANDLE)
_policy_change_mode = proto('svcq_sla_policy_change_mode', c_int32, HANDLE)
_target_count = proto('svcq_sla_policy_target_count', c_uint32, HANDLE)
_target = proto('svcq_sla_policy_target', c_int, P(TargetSpecC), HANDLE, c_uint32)
_fingerprint = proto('svcq_sla_policy_fingerprint', c_char_p, HANDLE)
_uses_event = proto('svcq_sla_policy_uses_event', c_int, P(c_int32), HANDLE, c_char_p)
_policy_export_json = proto('svcq_sla_policy_export_json', c_int, HANDLE, c_void_p, c_uint32)
_policy_import_json = proto('svcq_sla_policy_import_json', c_int, P(HANDLE), HANDLE, c_char_p, c_size_t, c_char_p)
_policy_save = proto('svcq_sla_policy_save', c_int, HANDLE)
_policy_load = proto('svcq_sla_policy_load', c_int, P(HANDLE), HANDLE, c_char_p, c_uint32, c_char_p)
_policy_delete = proto('svcq_sla_policy_delete', c_int, HANDLE)
_policy_revision = proto('svcq_sla_policy_revision', c_uint64, HANDLE)
_default_calendar = proto('svcq_sla_default_calendar', c_int, P(HANDLE), HANDLE, HANDLE)
_builtin = proto('svcq_sla_policy_builtin', c_int, P(HANDLE), HANDLE, c_int32, HANDLE, c_uint32)
_status_init = proto('svcq_sla_status_init', c_int, P(StatusC), c_uint32)
_clock_new = proto('svcq_sla_clock_new', c_int, P(HANDLE), HANDLE, c_char_p)
_clock_free = proto('svcq_sla_clock_free', None, HANDLE)
_clock_event = proto('svcq_sla_clock_event', c_int, HANDLE, c_char_p, c_int64, c_char_p)
_clock_change_policy = proto('svcq_sla_clock_change_policy', c_int, HANDLE, HANDLE, c_int64)
_clock_transfer = proto('svcq_sla_clock_transfer', c_int, P(HANDLE), HANDLE, HANDLE, c_int64)
_clock_rebuild = proto('svcq_sla_clock_rebuild', c_int, HANDLE)
_clock_subject = proto('svcq_sla_clock_subject', c_char_p, HANDLE)
_clock_policy = proto('svcq_sla_clock_policy', HANDLE, HANDLE)
_clock_event_count = proto('svcq_sla_clock_event_count', c_uint32, HANDLE)
_clock_event_at = proto('svcq_sla_clock_event_at', c_int, P(c_char_p), P(c_int64), P(c_char_p), HANDLE, c_uint32)
_clock_event_due = proto('svcq_sla_clock_event_due', c_int, HANDLE, c_char_p, c_int64, c_int64)
_clock_event_due_at = proto('svcq_sla_clock_event_due_at', c_int, P(c_int64), HANDLE, c_uint32)
_clock_status = proto('svcq_sla_clock_status', c_int, P(StatusC), HANDLE, c_uint32, c_int64)
_clock_paused = proto('svcq_sla_clock_paused_seconds', c_int, P(c_int64), HANDLE, c_uint32, c_char_p, c_int64)
_clock_next_at = proto('svcq_sla_clock_next_at', c_int, P(c_int64), HANDLE, c_int64)
_clock_export_json = proto('svcq_sla_clock_export_json', c_int, HANDLE, c_int64, HANDLE, c_void_p)
_clock_export_md = proto('svcq_sla_clock_export_markdown', c_int, HANDLE, c_int64, HANDLE, c_void_p)
_clock_export_status = proto('svcq_sla_clock_export_status_json', c_int, HANDLE, c_int64, c_void_p)
_clock_save = proto('svcq_sla_clock_save', c_int, HANDLE)
_clock_remove = proto('svcq_sla_clock_remove', c_int, HANDLE)
_clock_load = proto('svcq_sla_clock_load', c_int, P(HANDLE), P(HANDLE), c_size_t, c_char_p, c_char_p, c_uint32)
_sched_new = proto('svcq_sla_scheduler_new', c_int, P(HANDLE), HANDLE, NOTIFY_FN, c_void_p)
_sched_free = proto('svcq_sla_scheduler_free', None, HANDLE)
_sched_add = proto('svcq_sla_scheduler_add', c_int, HANDLE, HANDLE)
_sched_find = proto('svcq_sla_scheduler_find', HANDLE, HANDLE, c_char_p, c_char_p)
_sched_count = proto('svcq_sla_scheduler_count', c_uint64, HANDLE)
_sched_advance = proto('svcq_sla_scheduler_advance', c_int, P(c_uint64), HANDLE, c_int64)
_sched_next_at = proto('svcq_sla_scheduler_next_at', c_int, P(c_int64), HANDLE)
_sched_save = proto('svcq_sla_scheduler_save', c_int, P(c_uint64), HANDLE)
_sched_failed = proto('svcq_sla_scheduler_failed', c_int, P(HANDLE), P(c_int32), HANDLE, c_uint64)
_sched_load = proto('svcq_sla_scheduler_load', c_int, HANDLE, P(HANDLE), c_size_t, c_uint32)
_replay_new = proto('svcq_sla_replay_new', c_int, P(HANDLE), HANDLE)
_replay_free = proto('svcq_sla_replay_free', None, HANDLE)
_replay_add_clock = proto('svcq_sla_replay_add_clock', c_int, HANDLE, HANDLE, c_int64)
_replay_totals = proto('svcq_sla_replay_totals', c_int, P(c_uint64), P(c_uint64), P(c_uint64), HANDLE, c_uint32)
_replay_subjects = proto('svcq_sla_replay_subjects', c_uint64, HANDLE)

Event = _lib.enum_from_getter('Event', 'svcq_sla_event_name')
State = _lib.enum_from_getter('State', 'svcq_sla_state_name')
NoticeKind = _lib.enum_from_getter('NoticeKind', 'svcq_sla_notice_kind_name')
ChangeMode = _lib.enum_from_getter('ChangeMode', 'svcq_sla_change_mode_name')
Unit = _lib.enum_from_getter('Unit', 'svcq_sla_unit_name')
TierLevel = _lib.enum_from_constants('TierLevel', 'SVCQ_TIER_', ['SPECIAL', ('TIER_1', '1'), ('TIER_2', '2'),
                                                                 ('TIER_3', '3')])


def _event(e):
    """An event name: str, or an Event member (its label is the name)."""
    if isinstance(e, Event):
        return e.label.encode()
    return _lib.enc(e, 'event')


def _handles(policies):
    arr = (HANDLE * max(len(policies), 1))(*[p._p for p in policies])
    return arr, len(policies)


@dataclasses.dataclass
class TargetSpec:
    """One target of a policy. `duration` is a timedelta of business time, or
    an int of business days when `unit` is Unit.BUSINESS_DAYS; None tracks
    without a deadline (and is required with Unit.EVENT_DUE, whose due comes
    with each start or restart event: Clock.event_due()). `calendar` None is
    the 7x24 calendar."""
    metric: str
    start_event: str
    meet_event: str
    duration: object = None
    calendar: Optional[Calendar] = None
    stop_event: Optional[str] = None
    pause_event: Optional[str] = None
    resume_event: Optional[str] = None
    restart_event: Optional[str] = None
    warn_percent: List[int] = dataclasses.field(default_factory=list)
    escalate_percent: List[int] = dataclasses.field(default_factory=list)
    recurring: bool = False
    unit: object = None

    def _c(self, ctx):
        s = TargetSpecC()
        _lib.call(ctx, _spec_init, byref(s), TargetSpecC.VERSION)
        s.metric = _lib.enc(self.metric)
        s.start_event, s.meet_event = _event(self.start_event), _event(self.meet_event)
        for f in ('stop_event', 'pause_event', 'resume_event', 'restart_event'):
            v = getattr(self, f)
            setattr(s, f, _event(v) if v is not None else None)
        unit = Unit.SECONDS if self.unit is None else _lib.enum_value(Unit, self.unit)
        s.duration_unit = unit
        if self.duration is None:
            s.duration = 0
        elif unit == Unit.BUSINESS_DAYS:
            s.duration = int(self.duration)
        else:
            s.duration = _lib.to_seconds(self.duration)
        s.calendar = self.calendar._p if self.calendar is not None else None
        if len(self.warn_percent) > _LEVELS or len(self.escalate_percent) > _LEVELS:
            raise ValueError('at most %d warning and escalation levels' % _LEVELS)
        s.warn_count, s.escalate_count = len(self.warn_percent), len(self.escalate_percent)
        for i, v in enumerate(self.warn_percent):
            s.warn_percent[i] = v
        for i, v in enumerate(self.escalate_percent):
            s.escalate_percent[i] = v
        s.recurring = 1 if self.recurring else 0
        return s

    @classmethod
    def _from_c(cls, s, ctx, owner):
        unit = _lib.enum_out(Unit, s.duration_unit)
        if s.duration == 0 or unit == Unit.EVENT_DUE:
            duration = None
        elif unit == Unit.BUSINESS_DAYS:
            duration = s.duration
        else:
            duration = _dt.timedelta(seconds=s.duration)
        cal = None
        if s.calendar:
            cal = Calendar(ctx, None, _ptr=s.calendar, _owned=False)
            cal._owner = owner       # borrowed from the policy: keep it alive
        d = _lib.dec
        return cls(metric=d(s.metric), start_event=d(s.start_event), meet_event=d(s.meet_event),
                   duration=duration, calendar=cal, stop_event=d(s.stop_event), pause_event=d(s.pause_event),
                   resume_event=d(s.resume_event), restart_event=d(s.restart_event),
                   warn_percent=list(s.warn_percent[:s.warn_count]),
                   escalate_percent=list(s.escalate_percent[:s.escalate_count]),
                   recurring=bool(s.recurring), unit=unit)


class Policy(_lib.Handle):
    """An SLA policy: named, versioned targets; immutable once a clock uses it or it is saved."""
    _free_fn = staticmethod(_policy_free)

    def __init__(self, ctx, name, version=1, _ptr=None, _owned=True):
        if _ptr is None:
            out = HANDLE()
            _lib.call(ctx, _policy_new, byref(out), ctx._p, _lib.enc(name), version)
            _ptr = out.value
        super().__init__(ctx, _ptr, owned=_owned)

    @classmethod
    def _wrap(cls, ctx, ptr):
        return cls(ctx, None, _ptr=ptr)

    @classmethod
    def builtin(cls, ctx, tier, calendar=None, literal_hours=False):
        """The built-in policy of a tier (TierLevel or 0-3) on a business calendar."""
        out = HANDLE()
        flags = _lib.K('SVCQ_SLA_BUILTIN_LITERAL_HOURS') if literal_hours else 0
        _lib.call(ctx, _builtin, byref(out), ctx._p, int(tier), calendar._p if calendar else None, flags)
        return cls._wrap(ctx, out.value)

    def add_target(self, spec=None, **fields):
        """Adds a target: a TargetSpec, or its fields as keywords."""
        spec = spec if spec is not None else TargetSpec(**fields)
        _lib.call(self._ctx, _add_target, self._p, byref(spec._c(self._ctx)))

    @property
    def change_mode(self):
        return _lib.enum_out(ChangeMode, _policy_change_mode(self._p))

    @change_mode.setter
    def change_mode(self, mode):
        _lib.call(self._ctx, _set_change_mode, self._p, _lib.enum_value(ChangeMode, mode))

    def set_close_event(self, event):
        _lib.call(self._ctx, _set_close_event, self._p, _event(event) if event is not None else None)

    def new_version(self, version):
        out = HANDLE()
        _lib.call(self._ctx, _new_version, byref(out), self._p, version)
        return Policy._wrap(self._ctx, out.value)

    @property
    def name(self):
        return _lib.dec(_policy_name(self._p))

    @property
    def version(self):
        return _policy_version(self._p)

    @property
    def targets(self):
        out = []
        for i in range(_target_count(self._p)):
            s = TargetSpecC()
            _lib.call(self._ctx, _spec_init, byref(s), TargetSpecC.VERSION)
            _lib.call(self._ctx, _target, byref(s), self._p, i)
            out.append(TargetSpec._from_c(s, self._ctx, self))
        return out

    def target_index(self, metric):
        for i, t in enumerate(self.targets):
            if t.metric == metric:
                return i
        raise KeyError('policy %s has no target %r' % (self.name, metric))

    @property
    def fingerprint(self):
        return _lib.dec(_fingerprint(self._p))

    def uses_event(self, event):
        out = c_int32()
        _lib.call(self._ctx, _uses_event, byref(out), self._p, _event(event))
        return bool(out.value)

    def export_json(self, pretty=False, sink=None):
        flags = _lib.K('SVCQ_SLA_POLICY_JSON_PRETTY') if pretty else 0
        return _lib.export(self._ctx, _policy_export_json, self._p, flags, sink=sink, writer_pos=1)

    @classmethod
    def import_json(cls, ctx, text, zoneinfo_dir=None):
        data = _lib.enc(text)
        out = HANDLE()
        _lib.call(ctx, _policy_import_json, byref(out), ctx._p, data, len(data), _lib.enc(zoneinfo_dir))
        return cls._wrap(ctx, out.value)

    def save(self):
        _lib.call(self._ctx, _policy_save, self._p)

    @classmethod
    def load(cls, ctx, name, version, zoneinfo_dir=None):
        out = HANDLE()
        _lib.call(ctx, _policy_load, byref(out), ctx._p, _lib.enc(name), version, _lib.enc(zoneinfo_dir))
        return cls._wrap(ctx, out.value)

    def delete(self):
        _lib.call(self._ctx, _policy_delete, self._p)

    @property
    def revision(self):
        return _policy_revision(self._p)


def default_calendar(ctx, tz=None):
    """Monday to Friday 09:00-18:00 in `tz` (a svcq.Tz; None: UTC)."""
    out = HANDLE()
    _lib.call(ctx, _default_calendar, byref(out), ctx._p, tz._p if tz is not None else None)
    return Calendar(ctx, None, _ptr=out.value)


@dataclasses.dataclass
class Status:
    """The state of one target of a clock at an instant (svcq_sla_status)."""
    metric: str
    state: object
    started_at: Optional[_dt.datetime]
    due_at: Optional[_dt.datetime]
    warn_at: Optional[_dt.datetime]
    met_at: Optional[_dt.datetime]
    breached_at: Optional[_dt.datetime]
    elapsed: _dt.timedelta
    remaining: Optional[_dt.timedelta]
    paused: _dt.timedelta
    escalation_level: int
    met_count: int
    breached_count: int


def _tz_arg(tz):
    return tz._p if tz is not None else None


class Clock(_lib.Handle):
    """A policy applied to one subject (a ticket). ``Clock(policy, subject)``.

    Once handed to a Scheduler, the scheduler owns it: it lives as long as
    the scheduler (close() removes it from the scheduler and frees it).
    """
    _free_fn = staticmethod(_clock_free)

    def __init__(self, policy, subject, _ctx=None, _ptr=None, _owned=True):
        if _ptr is None:
            out = HANDLE()
            _lib.call(policy._ctx, _clock_new, byref(out), policy._p, _lib.enc(subject))
            _ptr, _ctx = out.value, policy._ctx
        super().__init__(_ctx, _ptr, owned=_owned)
        self._scheduler = None

    def close(self):
        sched, self._scheduler = self._scheduler, None
        if sched is not None and self._ptr:
            sched._clocks.pop(self._ptr, None)
            ptr, self._ptr = self._ptr, None
            _clock_free(ptr)          # removes it from the scheduler first
            return
        super().close()

    @property
    def scheduler(self):
        return self._scheduler

    def event(self, event, at, reason=None):
        """Feeds an event (an Event member or its name) that happened at `at`."""
        _lib.call(self._ctx, _clock_event, self._p, _event(event), _lib.to_time(at, 'at'), _lib.enc(reason))

    def event_due(self, event, at, due):
        """Feeds the start or restart event of a Unit.EVENT_DUE target, carrying
        the due instant of the cycle it starts (at or after `at`)."""
        _lib.call(self._ctx, _clock_event_due, self._p, _event(event), _lib.to_time(at, 'at'),
                  _lib.to_time(due, 'due'))

    def event_dues(self):
        """The due each event of events() carries, or None."""
        due = c_int64()
        out = []
        for i in range(_clock_event_count(self._p)):
            _lib.call(self._ctx, _clock_event_due_at, byref(due), self._p, i)
            out.append(_lib.from_time(due.value))
        return out

    def change_policy(self, policy, at):
        _lib.call(self._ctx, _clock_change_policy, self._p, policy._p, _lib.to_time(at, 'at'))

    def transfer(self, policy, at):
        """A new clock continuing this one under a policy of another name."""
        out = HANDLE()
        _lib.call(self._ctx, _clock_transfer, byref(out), self._p, policy._p, _lib.to_time(at, 'at'))
        return Clock(None, None, _ctx=self._ctx, _ptr=out.value)

    def rebuild(self):
        _lib.call(self._ctx, _clock_rebuild, self._p)

    @property
    def subject(self):
        return _lib.dec(_clock_subject(self._p))

    @property
    def policy(self):
        """The policy version the clock runs under (borrowed: valid while the clock lives)."""
        p = Policy(self._ctx, None, _ptr=_clock_policy(self._p), _owned=False)
        p._owner = self
        return p

    def events(self):
        """[(name, at, reason)] in the order fed."""
        name, at, reason = c_char_p(), c_int64(), c_char_p()
        out = []
        for i in range(_clock_event_count(self._p)):
            _lib.call(self._ctx, _clock_event_at, byref(name), byref(at), byref(reason), self._p, i)
            out.append((_lib.dec(name.value), _lib.from_time(at.value), _lib.dec(reason.value)))
        return out

    def _index(self, target):
        if isinstance(target, str):
            return self.policy.target_index(target)
        return int(target)

    def status(self, target, at):
        """The Status of a target (its index or metric) at `at`."""
        s = StatusC()
        _lib.call(self._ctx, _status_init, byref(s), StatusC.VERSION)
        _lib.call(self._ctx, _clock_status, byref(s), self._p, self._index(target), _lib.to_time(at, 'at'))
        t = _lib.from_time
        return Status(metric=_lib.dec(s.metric), state=_lib.enum_out(State, s.state),
                      started_at=t(s.started_at), due_at=t(s.due_at), warn_at=t(s.warn_at),
                      met_at=t(s.met_at), breached_at=t(s.breached_at),
                      elapsed=_dt.timedelta(seconds=s.elapsed), remaining=_lib.seconds_out(s.remaining),
                      paused=_dt.timedelta(seconds=s.paused), escalation_level=s.escalation_level,
                      met_count=s.met_count, breached_count=s.breached_count)

    def statuses(self, at):
        return [self.status(i, at) for i in range(_target_count(_clock_policy(self._p)))]

    def paused(self, target, at, reason=None):
        out = c_int64()
        _lib.call(self._ctx, _clock_paused, byref(out), self._p, self._index(target), _lib.enc(reason),
                  _lib.to_time(at, 'at'))
        return _dt.timedelta(seconds=out.value)

    def next_at(self, after):
        out = c_int64()
        _lib.call(self._ctx, _clock_next_at, byref(out), self._p, _lib.to_time(after, 'after'))
        return _lib.from_time(out.value)

    def export_json(self, until, tz=None, sink=None):
        return _lib.export(self._ctx, _clock_export_json, self._p, _lib.to_time(until, 'until'), _tz_arg(tz),
                           sink=sink)

    def export_markdown(self, until, tz=None, sink=None):
        return _lib.export(self._ctx, _clock_export_md, self._p, _lib.to_time(until, 'until'), _tz_arg(tz),
                           sink=sink)

    def export_status_json(self, at, sink=None):
        return _lib.export(self._ctx, _clock_export_status, self._p, _lib.to_time(at, 'at'), sink=sink)

    def save(self):
        _lib.call(self._ctx, _clock_save, self._p)

    def remove(self):
        """Removes the clock's record from the store."""
        _lib.call(self._ctx, _clock_remove, self._p)

    @classmethod
    def load(cls, policies, policy_name, subject, rebase=False):
        """Loads a stored clock; `policies` are the versions it may use."""
        arr, n = _handles(policies)
        ctx = policies[0]._ctx
        out = HANDLE()
        flags = _lib.K('SVCQ_SLA_LOAD_REBASE') if rebase else 0
        _lib.call(ctx, _clock_load, byref(out), arr, n, _lib.enc(policy_name), _lib.enc(subject), flags)
        return cls(None, None, _ctx=ctx, _ptr=out.value)


@dataclasses.dataclass
class Notice:
    """A warning, breach or escalation delivered by a Scheduler."""
    kind: object
    at: _dt.datetime
    subject: str
    policy: str
    metric: str
    target: int
    level: int
    cycle: int
    clock: Clock


class Scheduler(_lib.Handle):
    """Holds clocks and delivers their notices, in time order, to ``on_notice(notice)``.

    The callback runs during advance(). Returning None (or 0) goes on; an
    exception stops the advance (the notice counts as not delivered), which
    raises that exception, chained to the library's SVCQ_EABORTED.
    """
    _free_fn = staticmethod(_sched_free)

    def __init__(self, ctx, on_notice):
        # Weak: a Clock wrapper holds its scheduler, never the other way
        # round, so neither the finalizer nor the callback keeps it alive.
        self._clocks = weakref.WeakValueDictionary()
        me = weakref.ref(self)

        def notify(notice_p, user):
            n = notice_p[0]
            r = on_notice(Notice(kind=_lib.enum_out(NoticeKind, n.kind), at=_lib.from_time(n.at),
                                 subject=_lib.dec(n.subject), policy=_lib.dec(n.policy),
                                 metric=_lib.dec(n.metric), target=n.target, level=n.level, cycle=n.cycle,
                                 clock=me()._clock_for(n.clock)))
            return int(r) if r else 0
        self._notify = NOTIFY_FN(_lib.guard(ctx._pending, notify, _lib.EABORTED))
        out = HANDLE()
        _lib.call(ctx, _sched_new, byref(out), ctx._p, self._notify, None)
        super().__init__(ctx, out.value)

    def _adopt(self):
        self._fin = weakref.finalize(self, _release_sched, self._ptr, self._ctx, self._notify, self._clocks)
        self._ctx._track(self._fin)

    def _clock_for(self, ptr):
        c = self._clocks.get(ptr)
        if c is None:
            c = Clock(None, None, _ctx=self._ctx, _ptr=ptr, _owned=False)
            c._scheduler = self
            self._clocks[ptr] = c
        return c

    def close(self):
        # A context whose incidents drive clocks here (svcq.incident.sla_enable)
        # borrows this scheduler: stop that first, it must not outlive us.
        for ctx in list(getattr(self, '_incident_sla_ctxs', ())):
            if not ctx.closed:
                from . import incident
                incident.sla_disable(ctx)
        for c in list(self._clocks.values()):
            c._scheduler = None
            c._invalidate()
        self._clocks.clear()
        super().close()

    def add(self, clock):
        """Hands `clock` over: the scheduler owns it from now on."""
        _lib.call(self._ctx, _sched_add, self._p, clock._p)
        clock._disown()
        clock._scheduler = self
        self._clocks[clock._ptr] = clock

    def find(self, subject, policy_name):
        ptr = _sched_find(self._p, _lib.enc(subject), _lib.enc(policy_name))
        return self._clock_for(ptr) if ptr else None

    def __len__(self):
        return _sched_count(self._p)

    def advance(self, now):
        """Delivers every notice due at or before `now`; returns how many."""
        n = c_uint64()
        _lib.call(self._ctx, _sched_advance, byref(n), self._p, _lib.to_time(now, 'now'))
        return n.value

    def next_at(self):
        out = c_int64()
        _lib.call(self._ctx, _sched_next_at, byref(out), self._p)
        return _lib.from_time(out.value)

    def save(self):
        """Stores every changed clock; returns [(clock, SvcqError)] of the clocks skipped."""
        failed = c_uint64()
        _lib.call(self._ctx, _sched_save, byref(failed), self._p)
        out = []
        for i in range(failed.value):
            ptr, code = HANDLE(), c_int32()
            _lib.call(self._ctx, _sched_failed, byref(ptr), byref(code), self._p, i)
            out.append((self._clock_for(ptr.value), _lib._errors.error_for(code.value, '')))
        return out

    def load(self, policies, rebase=False):
        arr, n = _handles(policies)
        flags = _lib.K('SVCQ_SLA_LOAD_REBASE') if rebase else 0
        _lib.call(self._ctx, _sched_load, self._p, arr, n, flags)


def _release_sched(ptr, ctx, notify, clocks):
    for c in list(clocks.values()):
        c._scheduler = None
        c._ptr = None
    clocks.clear()
    _sched_free(ptr)


class Replay(_lib.Handle):
    """What-if: clocks' event logs replayed through another policy."""
    _free_fn = staticmethod(_replay_free)

    def __init__(self, policy):
        out = HANDLE()
        _lib.call(policy._ctx, _replay_new, byref(out), policy._p)
        super().__init__(policy._ctx, out.value)
        self._policy = policy

    def add_clock(self, clock, until):
        _lib.call(self._ctx, _replay_add_clock, self._p, clock._p, _lib.to_time(until, 'until'))

    def totals(self, target):
        """(met, breached, open) cycles of a target (index or metric)."""
        index = self._policy.target_index(target) if isinstance(target, str) else target
        met, breached, open_ = c_uint64(), c_uint64(), c_uint64()
        _lib.call(self._ctx, _replay_totals, byref(met), byref(breached), byref(open_), self._p, index)
        return met.value, breached.value, open_.value

    @property
    def subjects(self):
        return _replay_subjects(self._p)
