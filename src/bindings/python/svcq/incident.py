"""Quality incidents (svcq/incident.h): the seven-stage corrective loop.

report -> confirm -> analyse (attach a svcq.analysis.Analysis) -> plan
measures -> execute (the tracking ledger) -> verify -> improve -> close; or
reject, cancel, reopen (a recurrence linked to a closed incident). Every
mutating method is one store transaction: when it raises, the incident and
the store are as before. A guard that refuses a move raises
``svcq.StateError`` whose ``message`` names what is missing ("incident
INC-7: cannot leave planning: root cause a1:c3 has no measure").

Mutating methods take ``actor`` and ``role`` first (who does it, for the
audit trail). Instants are aware datetimes in and out (UTC out); indicator
values and satisfaction are thousandths (4.2 is 4200). The archive queries
(``ids()``, ``find()``, ``overdue()``, ``Incident.similar()``) are Python
iterators; ``walk()`` hands each id to a callback instead.

The documents a host prints for the meetings: ``Incident.form_export()``
(the four forms of the process, Markdown, JSON or CSV), typical cases
(``Incident.mark_typical()``, ``typical_note``) and ``review_pack()``; the
responsibility matrix and the flow chart at the end of this module.
"""

import collections
from ctypes import (CFUNCTYPE, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64,
                    c_void_p)

from . import _lib
from ._lib import HANDLE, P, proto

State = _lib.enum_from_getter('State', 'svcq_incident_state_name')
MeasureState = _lib.enum_from_getter('MeasureState', 'svcq_incident_measure_state_name')
Vocab = _lib.enum_from_getter('Vocab', 'svcq_incident_vocab_name')
LedgerKind = _lib.enum_from_getter('LedgerKind', 'svcq_incident_ledger_kind_name')
Direction = _lib.enum_from_getter('Direction', 'svcq_incident_direction_name')
Verdict = _lib.enum_from_getter('Verdict', 'svcq_incident_verdict_name')
TrailFormat = _lib.enum_from_getter('TrailFormat', 'svcq_incident_trail_format_name')
Form = _lib.enum_from_getter('Form', 'svcq_incident_form_name')
FormFormat = _lib.enum_from_getter('FormFormat', 'svcq_incident_form_format_name')

_S = c_char_p

Options = _lib.mirror('svcq_incident_options', 1, [
    ('version', c_uint32), ('window_days', c_uint32), ('calendar', c_void_p),
    ('max_recurrences', c_uint32), ('reserved0', c_uint32), ('reopen_period', c_int64),
    ('group_roles', _S), ('reserved', c_uint64 * 4)])

ReportSpec = _lib.mirror('svcq_incident_report_spec', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('type', _S), ('stage', _S), ('channel', _S),
    ('occurred_at', c_int64), ('location', _S), ('observed', _S), ('impact', _S), ('reporter_name', _S),
    ('reporter_contact', _S), ('reporter_role', _S), ('client', _S), ('ticket', _S), ('containment', _S),
    ('touchpoint', _S), ('reserved', c_uint64 * 4)])

Confirmation = _lib.mirror('svcq_incident_confirmation', 1, [
    ('version', c_uint32), ('real', c_int32), ('category', _S), ('responsible_unit', _S),
    ('responsible_person', _S), ('person_assessment', _S), ('process_assessment', _S), ('note', _S),
    ('reserved', c_uint64 * 4)])

MeasureSpec = _lib.mirror('svcq_incident_measure_spec', 1, [
    ('version', c_uint32), ('direction', c_int32), ('kind', _S), ('what', _S), ('root_cause', _S),
    ('owner', _S), ('deadline', c_int64), ('indicator', _S), ('unit', _S), ('baseline', c_int64),
    ('target', c_int64), ('feasibility', _S), ('expected_effect', _S), ('approved_by', _S),
    ('reserved', c_uint64 * 4)])

LedgerSpec = _lib.mirror('svcq_incident_ledger_spec', 1, [
    ('version', c_uint32), ('kind', c_int32), ('measure', _S), ('percent', c_int32), ('reserved0', c_uint32),
    ('note', _S), ('reason', _S), ('new_deadline', c_int64), ('new_owner', _S), ('approver', _S),
    ('reserved', c_uint64 * 4)])

Query = _lib.mirror('svcq_incident_query', 1, [
    ('version', c_uint32), ('state', c_int32), ('type', _S), ('client', _S), ('stage', _S),
    ('from', c_int64), ('to', c_int64), ('reserved', c_uint64 * 4)])

VISIT_FN = CFUNCTYPE(c_int, c_char_p, c_void_p)
OVERDUE_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_int64, c_void_p)

_A = (HANDLE, _S, _S)   # incident, actor, role
F = {}
for _n, _r, _a in [
    ('state_name', c_char_p, (c_int32,)),
    ('transition_allowed', c_int32, (c_int32, c_int32)),
    ('vocab_add', c_int, (HANDLE, c_int32, _S, _S)),
    ('vocab_count', c_size_t, (HANDLE, c_int32)),
    ('vocab_key', c_char_p, (HANDLE, c_int32, c_size_t)),
    ('vocab_label', c_char_p, (HANDLE, c_int32, _S)),
    ('options_init', c_int, (P(Options), c_uint32)),
    ('configure', c_int, (HANDLE, P(Options))),
    ('report_spec_init', c_int, (P(ReportSpec), c_uint32)),
    ('report', c_int, (P(HANDLE), HANDLE, _S, P(ReportSpec), _S, _S)),
    ('load', c_int, (P(HANDLE), HANDLE, _S)),
    ('free', None, (HANDLE,)),
    ('add_attachment', c_int, _A + (_S, _S, _S)),
    ('add_confirmer', c_int, _A + (_S, _S)),
    ('confirmation_init', c_int, (P(Confirmation), c_uint32)),
    ('confirm', c_int, _A + (P(Confirmation),)),
    ('reject', c_int, _A + (_S,)),
    ('attach_analysis', c_int, _A + (HANDLE,)),
    ('measure_spec_init', c_int, (P(MeasureSpec), c_uint32)),
    ('add_measure', c_int, (P(c_char_p),) + _A + (P(MeasureSpec),)),
    ('ledger_spec_init', c_int, (P(LedgerSpec), c_uint32)),
    ('ledger_add', c_int, _A + (P(LedgerSpec),)),
    ('set_measure_state', c_int, _A + (_S, c_int32, _S)),
    ('record_indicator', c_int, _A + (_S, c_int64)),
    ('evaluate', c_int, (P(c_int32), P(c_uint32), HANDLE)),
    ('verify', c_int, (P(c_int32),) + _A + (c_int64, c_int64, _S)),
    ('window_end', c_int64, (HANDLE,)),
    ('add_improvement', c_int, _A + (_S, _S, _S)),
    ('set_lessons', c_int, _A + (_S,)),
    ('transition', c_int, _A + (c_int32, _S)),
    ('link_recurrence', c_int, _A + (_S,)),
    ('set_similarity_key', c_int, _A + (_S,)),
    ('id', c_char_p, (HANDLE,)),
    ('revision', c_uint64, (HANDLE,)),
    ('state_of', c_int32, (HANDLE,)),
    ('loop_count', c_uint32, (HANDLE,)),
    ('type', c_char_p, (HANDLE,)),
    ('stage', c_char_p, (HANDLE,)),
    ('category', c_char_p, (HANDLE,)),
    ('client', c_char_p, (HANDLE,)),
    ('touchpoint', c_char_p, (HANDLE,)),
    ('location', c_char_p, (HANDLE,)),
    ('reported_at', c_int64, (HANDLE,)),
    ('similarity_key', c_char_p, (HANDLE,)),
    ('audit_count', c_uint64, (HANDLE,)),
    ('audit_head', c_char_p, (HANDLE,)),
    ('analysis_count', c_size_t, (HANDLE,)),
    ('analysis_at', c_char_p, (HANDLE, c_size_t)),
    ('measure_count', c_size_t, (HANDLE,)),
    ('measure_at', c_char_p, (HANDLE, c_size_t)),
    ('measure_state_of', c_int32, (HANDLE, _S)),
    ('measure_overdue', c_int32, (HANDLE, _S)),
    ('last_verdict', c_int32, (HANDLE,)),
    ('export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('query_init', c_int, (P(Query), c_uint32)),
    ('list', c_int, (HANDLE, P(Query), VISIT_FN, c_void_p)),
    ('list_overdue', c_int, (HANDLE, c_int64, OVERDUE_FN, c_void_p)),
    ('similar', c_int, (HANDLE, VISIT_FN, c_void_p)),
    ('audit_verify', c_int, (P(c_uint64), HANDLE, _S)),
    ('audit_export', c_int, (HANDLE, _S, c_void_p, c_int32, HANDLE)),
    ('form_export', c_int, (HANDLE, c_void_p, c_int32, c_int32, HANDLE)),
    ('mark_typical', c_int, _A + (_S,)),
    ('unmark_typical', c_int, _A + (_S,)),
    ('typical_note', c_char_p, (HANDLE,)),
    ('review_pack', c_int, (HANDLE, c_void_p, c_int64, c_int64, HANDLE)),
]:
    F[_n] = proto('svcq_incident_' + _n, _r, *_a)


def transition_allowed(from_state, to_state):
    """Whether the lifecycle table allows the move, whatever the guards say."""
    return bool(F['transition_allowed'](_lib.enum_value(State, from_state), _lib.enum_value(State, to_state)))


def vocab_add(ctx, vocab, key, label):
    """Adds `key` (with the `label` people read) to a vocabulary of the context."""
    _lib.call(ctx, F['vocab_add'], ctx._p, _lib.enum_value(Vocab, vocab), _lib.enc(key), _lib.enc(label))


def vocabulary(ctx, vocab):
    """{key: label} of a vocabulary of the context, built-ins first."""
    v = _lib.enum_value(Vocab, vocab)
    out = {}
    for i in range(F['vocab_count'](ctx._p, v)):
        key = F['vocab_key'](ctx._p, v, i)
        out[key.decode()] = _lib.dec(F['vocab_label'](ctx._p, v, key))
    return out


def configure(ctx, window_days=None, calendar=None, max_recurrences=None, reopen_period=None,
              group_roles=None):
    """Sets the context's incident options (None keeps the library's default).

    ``window_days``: the observation window (counted in business days of
    ``calendar`` when given: a svcq.Calendar the library borrows, so keep it
    open while the context makes incident calls; the context holds the
    Python object);
    ``max_recurrences``: the similar incidents an effective verification
    tolerates; ``reopen_period``: a timedelta (or seconds) after closing in
    which a linked recurrence reopens; ``group_roles``: the roles the
    confirmation group needs (a list of keys or a comma-separated str).
    """
    o = _lib.new_table(Options, F['options_init'])
    if window_days is not None:
        o.window_days = window_days
    if calendar is not None:
        o.calendar = calendar._p
        ctx._keep.append(calendar)      # borrowed by the context: keep the Python object alive
    if max_recurrences is not None:
        o.max_recurrences = max_recurrences
    if reopen_period is not None:
        o.reopen_period = _lib.to_seconds(reopen_period, 'reopen_period')
    if group_roles is not None:
        o.group_roles = _lib.enc(group_roles if isinstance(group_roles, str) else ','.join(group_roles))
    _lib.call(ctx, F['configure'], ctx._p, byref(o))


def _opt_time(value, what):
    return 0 if value is None else _lib.to_time(value, what)


def _text(value):
    return None if value is None else _lib.enc(value)


class _Walk:
    """A visitor that collects what the library hands it, or calls `fn` with it.

    `fn` returning a true value stops the walk (not an error); an exception
    stops it with SVCQ_EABORTED and is raised again from the walk.
    """

    def __init__(self, ctx, fn=None):
        self.ctx, self.fn, self.items, self.stopped = ctx, fn, [], False

    def __call__(self, *item):
        if self.fn is None:
            self.items.append(item[0] if len(item) == 1 else item)
            return 0
        if self.fn(*item):
            self.stopped = True
            return 1
        return 0

    def run(self, cfn, call_fn, *args):
        def cb(*a):
            a = a[:-1]   # user_data
            return self(*[_lib.dec(x) if isinstance(x, bytes) else x for x in a])
        fn = cfn(_lib.guard(self.ctx._pending, cb, _lib.EABORTED))
        try:
            _lib.call(self.ctx, call_fn, *args, fn, None)
        except _lib._errors.AbortedError:
            if not self.stopped or self.ctx._pending.exc is not None:
                raise
        return self.items


def _query(ctx, state, type, client, stage, since, until):
    q = _lib.new_table(Query, F['query_init'])
    if state is not None:
        q.state = _lib.enum_value(State, state)
    q.type, q.client, q.stage = _text(type), _text(client), _text(stage)
    setattr(q, 'from', _opt_time(since, 'since'))
    q.to = _opt_time(until, 'until')
    return q


def walk(ctx, fn, state=None, type=None, client=None, stage=None, since=None, until=None):
    """Calls ``fn(incident_id)`` for each stored incident matching the filters,
    in id order; ``fn`` returning a true value stops the walk. ``since`` and
    ``until`` bound the report time ([since, until))."""
    q = _query(ctx, state, type, client, stage, since, until)
    _Walk(ctx, fn).run(VISIT_FN, F['list'], ctx._p, byref(q))


def ids(ctx, state=None, type=None, client=None, stage=None, since=None, until=None):
    """An iterator over the ids of the stored incidents matching the filters, in id order."""
    q = _query(ctx, state, type, client, stage, since, until)
    return iter(_Walk(ctx).run(VISIT_FN, F['list'], ctx._p, byref(q)))


def find(ctx, **filters):
    """An iterator of Incident handles matching the filters (as ids()), each
    loaded when the iteration reaches it; close them (or use `with`)."""
    for id_ in ids(ctx, **filters):
        yield Incident.load(ctx, id_)


def overdue(ctx, at, fn=None):
    """Overdue measures of every open incident (deadline before `at`), in
    incident id order: an iterator of ``(incident_id, measure_id, deadline)``,
    or, with ``fn``, ``fn(incident_id, measure_id, deadline)`` called for each
    (a true value stops)."""
    def adapt(i, m, d):
        return fn(i, m, _lib.from_time(d))
    w = _Walk(ctx, adapt if fn is not None else None)
    items = w.run(OVERDUE_FN, F['list_overdue'], ctx._p, _lib.to_time(at, 'at'))
    return iter([(i, m, _lib.from_time(d)) for i, m, d in items]) if fn is None else None


def audit_verify(ctx, id):
    """Checks the stored audit chain of incident `id`; returns the number of
    entries checked. svcq.CorruptError names the first bad entry."""
    n = c_uint64()
    _lib.call(ctx, F['audit_verify'], byref(n), ctx._p, _lib.enc(id))
    return n.value


def audit_export(ctx, id, format=None, tz=None, sink=None):
    """The audit trail of a stored incident (its chain verified first) as
    Markdown (local times in ``tz``, a svcq.Tz; UTC when None) or JSON."""
    fmt = _lib.enum_value(TrailFormat, format if format is not None else 'markdown')
    return _lib.export(ctx, F['audit_export'], ctx._p, _lib.enc(id), fmt, tz._p if tz is not None else None,
                       sink=sink, writer_pos=2)


def review_pack(ctx, since, until, tz=None, sink=None):
    """The review pack (Markdown) of the period [since, until): every stored
    incident marked typical and reported in it, in id order, with its note,
    cause, measures, last verification and lessons; times in ``tz`` (a
    svcq.Tz; UTC when None)."""
    return _lib.export(ctx, F['review_pack'], ctx._p, _lib.to_time(since, 'since'), _lib.to_time(until, 'until'),
                       tz._p if tz is not None else None, sink=sink, writer_pos=1)


class Incident(_lib.Handle):
    """One incident. Make it with ``Incident.report(...)`` or ``Incident.load(ctx, id)``."""
    _free_fn = staticmethod(F['free'])

    # -- stage 1
    @classmethod
    def report(cls, ctx, id, actor, role, *, type, stage, channel, observed, reporter_name, occurred_at=None,
               location=None, impact=None, reporter_contact=None, reporter_role=None, client=None, ticket=None,
               containment=None, touchpoint=None):
        """Reports an incident (state REPORTED) and stores it with its first audit entry."""
        s = _lib.new_table(ReportSpec, F['report_spec_init'])
        s.type, s.stage, s.channel = _lib.enc(type), _lib.enc(stage), _lib.enc(channel)
        s.occurred_at = _opt_time(occurred_at, 'occurred_at')
        s.observed, s.reporter_name = _lib.enc(observed), _lib.enc(reporter_name)
        for name, value in (('location', location), ('impact', impact), ('reporter_contact', reporter_contact),
                            ('reporter_role', reporter_role), ('client', client), ('ticket', ticket),
                            ('containment', containment), ('touchpoint', touchpoint)):
            setattr(s, name, _text(value))
        out = HANDLE()
        _lib.call(ctx, F['report'], byref(out), ctx._p, _lib.enc(id), byref(s), _lib.enc(actor), _text(role))
        return cls(ctx, out.value)

    @classmethod
    def load(cls, ctx, id):
        out = HANDLE()
        _lib.call(ctx, F['load'], byref(out), ctx._p, _lib.enc(id))
        return cls(ctx, out.value)

    def _do(self, fn, actor, role, *args):
        _lib.call(self._ctx, F[fn], self._p, _lib.enc(actor), _text(role), *args)

    def add_attachment(self, actor, role, kind, uri, note=None):
        self._do('add_attachment', actor, role, _lib.enc(kind), _lib.enc(uri), _text(note))

    # -- stage 2
    def add_confirmer(self, actor, role, name, member_role):
        """Adds a member ("service_supervisor", "quality_staff", ...) to the confirmation group."""
        self._do('add_confirmer', actor, role, _lib.enc(name), _lib.enc(member_role))

    def confirm(self, actor, role, *, category, responsible_unit, real=True, responsible_person=None,
                person_assessment=None, process_assessment=None, note=None):
        """REPORTED -> CONFIRMED. ``human_error`` needs both assessments (the double track)."""
        c = _lib.new_table(Confirmation, F['confirmation_init'])
        c.real = 1 if real else 0
        c.category, c.responsible_unit = _lib.enc(category), _lib.enc(responsible_unit)
        c.responsible_person, c.note = _text(responsible_person), _text(note)
        c.person_assessment, c.process_assessment = _text(person_assessment), _text(process_assessment)
        self._do('confirm', actor, role, byref(c))

    def reject(self, actor, role, reason):
        """REPORTED -> REJECTED (final): judged not real."""
        self._do('reject', actor, role, _lib.enc(reason))

    # -- stage 3
    def attach_analysis(self, actor, role, analysis):
        """Links a svcq.analysis.Analysis of the same context; it is saved in the same transaction."""
        if analysis.ctx is not self._ctx:
            raise ValueError('analysis %s belongs to another context' % analysis.id)
        self._do('attach_analysis', actor, role, analysis._p)

    # -- stage 4
    def add_measure(self, actor, role, *, kind, what, root_cause=None, owner=None, deadline=None, indicator=None,
                    unit=None, baseline=0, target=0, direction=None, feasibility=None, expected_effect=None,
                    approved_by=None):
        """Adds a measure (state PLANNING); returns its id ("m1", ...).

        ``root_cause`` is "<analysis id>:<node id>" or a pair (analysis or
        its id, node id); ``baseline`` and ``target`` are thousandths;
        ``direction`` a Direction (or "higher_is_better"/"lower_is_better").
        """
        if isinstance(root_cause, tuple):
            a, node = root_cause
            root_cause = '%s:%s' % (getattr(a, 'id', a), node)
        s = _lib.new_table(MeasureSpec, F['measure_spec_init'])
        s.kind, s.what = _lib.enc(kind), _lib.enc(what)
        s.root_cause, s.owner = _text(root_cause), _text(owner)
        s.deadline = _opt_time(deadline, 'deadline')
        s.indicator, s.unit = _text(indicator), _text(unit)
        s.baseline, s.target = baseline, target
        if direction is not None:
            s.direction = _lib.enum_value(Direction, direction)
        s.feasibility, s.expected_effect, s.approved_by = (_text(feasibility), _text(expected_effect),
                                                           _text(approved_by))
        out = c_char_p()
        _lib.call(self._ctx, F['add_measure'], byref(out), self._p, _lib.enc(actor), _text(role), byref(s))
        return _lib.dec(out.value)

    # -- stage 5: the tracking ledger
    def _ledger(self, actor, role, kind, measure, **fields):
        s = _lib.new_table(LedgerSpec, F['ledger_spec_init'])
        s.kind = _lib.enum_value(LedgerKind, kind)
        s.measure = _lib.enc(measure)
        for name, value in fields.items():
            if name in ('percent', 'new_deadline'):
                setattr(s, name, value)
            else:
                setattr(s, name, _text(value))
        self._do('ledger_add', actor, role, byref(s))

    def progress(self, actor, role, measure, percent, note=None):
        """A progress entry (percent done); a planned measure becomes in progress."""
        self._ledger(actor, role, LedgerKind.PROGRESS, measure, percent=percent, note=note)

    def deviation(self, actor, role, measure, what, reason):
        """A deviation entry: what deviated and why."""
        self._ledger(actor, role, LedgerKind.DEVIATION, measure, note=what, reason=reason)

    def adjust(self, actor, role, measure, reason, approver, new_deadline=None, new_owner=None):
        """An adjustment: a new deadline and/or owner, with the reason and who approved it."""
        self._ledger(actor, role, LedgerKind.ADJUSTMENT, measure, reason=reason, approver=approver,
                     new_deadline=_opt_time(new_deadline, 'new_deadline'), new_owner=new_owner)

    def set_measure_state(self, actor, role, measure, state, reason=None):
        self._do('set_measure_state', actor, role, _lib.enc(measure), _lib.enum_value(MeasureState, state),
                 _text(reason))

    def measure_done(self, actor, role, measure, note=None):
        self.set_measure_state(actor, role, measure, MeasureState.DONE, note)

    def cancel_measure(self, actor, role, measure, reason):
        self.set_measure_state(actor, role, measure, MeasureState.CANCELLED, reason)

    # -- stage 6
    def record_indicator(self, actor, role, measure, value):
        """The measured value of a measure's indicator (thousandths)."""
        self._do('record_indicator', actor, role, _lib.enc(measure), value)

    def evaluate(self):
        """(Verdict, recurrences in the window) as verify() would compute them now; changes nothing."""
        v, n = c_int32(), c_uint32()
        _lib.call(self._ctx, F['evaluate'], byref(v), byref(n), self._p)
        return _lib.enum_out(Verdict, v.value), n.value

    def verify(self, actor, role, csat_before, csat_after, note=None):
        """Verifies the effect after the observation window; returns the Verdict.
        Not effective: back to ANALYSING, the loop count goes up."""
        v = c_int32()
        _lib.call(self._ctx, F['verify'], byref(v), self._p, _lib.enc(actor), _text(role), csat_before,
                  csat_after, _text(note))
        return _lib.enum_out(Verdict, v.value)

    @property
    def window_end(self):
        """When the observation window ends (VERIFYING), else None."""
        t = F['window_end'](self._p)
        return _lib.from_time(t) if t else None

    # -- stage 7
    def add_improvement(self, actor, role, kind, reference, note=None):
        self._do('add_improvement', actor, role, _lib.enc(kind), _lib.enc(reference), _text(note))

    def set_lessons(self, actor, role, lessons):
        self._do('set_lessons', actor, role, _lib.enc(lessons))

    # -- moves
    def transition(self, actor, role, to, note=None):
        """Moves along the table (ANALYSING, PLANNING, EXECUTING, VERIFYING,
        CLOSED) after the guard of the stage it leaves; StateError names what
        is missing."""
        self._do('transition', actor, role, _lib.enum_value(State, to), _text(note))

    def cancel(self, actor, role, reason):
        """Cancels an open incident (final)."""
        self.transition(actor, role, State.CANCELLED, reason)

    def link_recurrence(self, actor, role, other):
        """Links incident `other` (an id or an Incident) as a recurrence; a
        closed incident within the reopen period reopens to ANALYSING."""
        self._do('link_recurrence', actor, role, _lib.enc(getattr(other, 'id', other)))

    reopen = link_recurrence

    def set_similarity_key(self, actor, role, key):
        self._do('set_similarity_key', actor, role, _text(key))

    # -- getters (copies)
    def _s(self, fn):
        return _lib.dec(F[fn](self._p))

    id = property(lambda self: self._s('id'))
    type = property(lambda self: self._s('type'))
    stage = property(lambda self: self._s('stage'))
    category = property(lambda self: self._s('category'))
    client = property(lambda self: self._s('client'))
    touchpoint = property(lambda self: self._s('touchpoint'))
    location = property(lambda self: self._s('location'))
    similarity_key = property(lambda self: self._s('similarity_key'))
    audit_head = property(lambda self: self._s('audit_head'))
    revision = property(lambda self: F['revision'](self._p))
    loop_count = property(lambda self: F['loop_count'](self._p))
    audit_count = property(lambda self: F['audit_count'](self._p))

    @property
    def state(self):
        return _lib.enum_out(State, F['state_of'](self._p))

    @property
    def reported_at(self):
        return _lib.from_time(F['reported_at'](self._p))

    @property
    def last_verdict(self):
        v = F['last_verdict'](self._p)
        return _lib.enum_out(Verdict, v) if v else None

    @property
    def analyses(self):
        """Ids of the attached analyses."""
        return [_lib.dec(F['analysis_at'](self._p, i)) for i in range(F['analysis_count'](self._p))]

    @property
    def measures(self):
        """{measure id: MeasureState}, in the order they were added."""
        out = {}
        for i in range(F['measure_count'](self._p)):
            mid = F['measure_at'](self._p, i)
            out[mid.decode()] = _lib.enum_out(MeasureState, F['measure_state_of'](self._p, mid))
        return out

    def measure_overdue(self, measure):
        """Whether a measure is neither done nor cancelled and past its deadline (the context's clock)."""
        r = F['measure_overdue'](self._p, _lib.enc(measure))
        if r < 0:
            raise KeyError('incident %s has no measure %s' % (self.id, measure))
        return bool(r)

    def export_json(self, pretty=False, sink=None):
        """The incident's record (schema "svcq.incident/1")."""
        flags = _lib.K('SVCQ_INCIDENT_JSON_PRETTY') if pretty else 0
        return _lib.export(self._ctx, F['export_json'], self._p, flags, sink=sink, writer_pos=1)

    # -- the documents of the process
    def form_export(self, form, format=None, tz=None, sink=None):
        """One of the four forms of the process (a Form or its label:
        "anomaly_report", "cause_analysis", "corrective_action",
        "effect_verification"), complete or in progress. ``format``: a
        FormFormat or "markdown" (the default), "json" (schema
        "svcq.incident_form/<form>/1", null for fields not filled yet) or
        "csv" (the corrective-action form only); times in ``tz`` (a svcq.Tz;
        UTC when None). The cause-analysis form loads the attached analyses:
        one missing from the store raises svcq.NotFoundError."""
        fmt = _lib.enum_value(FormFormat, format if format is not None else FormFormat.MARKDOWN)
        return _lib.export(self._ctx, F['form_export'], self._p, _lib.enum_value(Form, form), fmt,
                           tz._p if tz is not None else None, sink=sink, writer_pos=1)

    def mark_typical(self, actor, role, note):
        """Marks the incident as a typical case for the periodic review, with
        the note saying why (audited). svcq.ExistsError when it is marked
        already, svcq.StateError for a rejected or cancelled incident."""
        self._do('mark_typical', actor, role, _text(note))

    def unmark_typical(self, actor, role, reason):
        """Takes the typical-case mark off, with the reason (audited with the
        note taken away); mark again for a new note. svcq.StateError when
        it is not marked."""
        self._do('unmark_typical', actor, role, _text(reason))

    @property
    def typical_note(self):
        """The note of a typical case, or None when the incident is not marked."""
        return self._s('typical_note')

    # -- archive and audit of this incident
    def similar(self, fn=None):
        """Stored incidents with the same similarity key (itself excluded), in id
        order: an iterator of ids, or ``fn(id)`` called for each (true stops)."""
        items = _Walk(self._ctx, fn).run(VISIT_FN, F['similar'], self._p)
        return iter(items) if fn is None else None

    def audit_verify(self):
        return audit_verify(self._ctx, self.id)

    def audit_export(self, format=None, tz=None, sink=None):
        return audit_export(self._ctx, self.id, format, tz, sink)

    def __repr__(self):
        if self.closed:
            return '<svcq.incident.Incident closed>'
        return '<svcq.incident.Incident %s %s loop %d>' % (self.id, self.state.label, self.loop_count)


# ==== the incident in the service loop: its own SLA, breach rules, matrix, flow chart

from . import sla as _sla    # noqa: E402  (after the incident tables: sla does not need them)

BreachOutcome = _lib.enum_from_getter('BreachOutcome', 'svcq_incident_breach_outcome_name')
Raci = _lib.enum_from_getter('Raci', 'svcq_incident_raci_name')

#: Name of the built-in quality-process policy ("quality.incident").
SLA_POLICY = 'quality.incident'
#: Name of the built-in measure-deadline policy ("quality.measure").
MEASURE_POLICY = 'quality.measure'

TIER_POLICY_FN = CFUNCTYPE(c_int, P(HANDLE), c_char_p, c_void_p)
SUBJECT_FN = CFUNCTYPE(c_int, P(c_char_p), P(c_int32), c_char_p, c_void_p)

SlaOptions = _lib.mirror('svcq_incident_sla_options', 1, [
    ('version', c_uint32), ('policy_version', c_uint32), ('scheduler', c_void_p), ('calendar', c_void_p),
    ('confirm_days', c_uint32), ('analyse_days', c_uint32), ('plan_days', c_uint32), ('execute_days', c_uint32),
    ('verify_days', c_uint32), ('close_days', c_uint32), ('tier_policy', TIER_POLICY_FN),
    ('tier_policy_data', c_void_p), ('reserved', c_uint64 * 4)])

ReminderC = _lib.mirror('svcq_incident_reminder', 1, [
    ('version', c_uint32), ('kind', c_int32), ('incident', _S), ('measure', _S), ('owner', _S), ('role', _S),
    ('deadline', c_int64), ('at', c_int64), ('level', c_int32), ('measure_state', c_int32),
    ('reserved', c_uint64 * 4)])

BreachRule = _lib.mirror('svcq_incident_breach_rule', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('policy', _S), ('metric', _S), ('stage', _S),
    ('id_prefix', _S), ('reserved', c_uint64 * 4)])

for _n, _r, _a in [
    ('sla_options_init', c_int, (P(SlaOptions), c_uint32)),
    ('sla_policy_new', c_int, (P(HANDLE), HANDLE, P(SlaOptions))),
    ('sla_enable', c_int, (HANDLE, P(SlaOptions))),
    ('sla_policy', HANDLE, (HANDLE,)),
    ('measure_policy_new', c_int, (P(HANDLE), HANDLE, P(SlaOptions))),
    ('measure_policy', HANDLE, (HANDLE,)),
    ('reminder_init', c_int, (P(ReminderC), c_uint32)),
    ('reminder_of', c_int, (P(ReminderC), P(HANDLE), HANDLE, P(_sla.NoticeC))),
    ('breach_rule_init', c_int, (P(BreachRule), c_uint32)),
    ('breach_rule_add', c_int, (HANDLE, P(BreachRule))),
    ('breach_set_lookup', c_int, (HANDLE, SUBJECT_FN, c_void_p)),
    ('breach_open', c_int, (P(HANDLE), P(c_int32), HANDLE, P(_sla.NoticeC))),
    ('matrix_set', c_int, (HANDLE, _S, c_int32, c_int32)),
    ('matrix_get', c_int32, (HANDLE, _S, c_int32)),
    ('matrix_reset', c_int, (HANDLE,)),
    ('matrix_check', c_int, (HANDLE,)),
    ('matrix_export_markdown', c_int, (HANDLE, c_void_p)),
    ('flow_mermaid', c_int, (HANDLE, HANDLE, c_void_p)),
]:
    F[_n] = proto('svcq_incident_' + _n, _r, *_a)

#: The seven stages of the responsibility matrix, named by the state that holds them.
STAGES = (State.REPORTED, State.CONFIRMED, State.ANALYSING, State.PLANNING, State.EXECUTING, State.VERIFYING,
          State.CLOSED)

_NO_DEADLINE = 0xFFFFFFFF


def _days(value, what):
    """Business days for the options: an int, None (the default) or 'none' (no deadline)."""
    if value is None:
        return 0
    if value == 'none':
        return _NO_DEADLINE
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('%s must be a positive number of business days, "none" or None, not %r' % (what, value))
    return value


def _sla_options(calendar, policy_version, days):
    o = _lib.new_table(SlaOptions, F['sla_options_init'])
    o.policy_version = policy_version or 0
    o.calendar = calendar._p if calendar is not None else None
    for name, value in days.items():
        setattr(o, name, _days(value, name))
    return o


class _SlaLink:
    """What the context borrows while the incident SLA is enabled: the
    scheduler, the tier-policy callback and the policies it handed out."""

    def __init__(self, ctx, scheduler, tier_policy):
        self.scheduler = scheduler
        self.policies = {}
        self.fn = None
        if tier_policy is not None:
            def cb(out, client, user):
                p = tier_policy(_lib.dec(client))
                if p is None:
                    out[0] = None
                    return 0
                if not isinstance(p, _sla.Policy) or p.ctx is not ctx:
                    raise TypeError('tier_policy must return a svcq.Policy of the same context or None, not %r'
                                    % (p,))
                self.policies[p._p] = p          # borrowed by the library while enabled
                out[0] = p._p
                return 0
            self.fn = TIER_POLICY_FN(_lib.guard(ctx._pending, cb, _lib.EABORTED))


def sla_policy_new(ctx, calendar=None, policy_version=None, **days):
    """The quality-process policy (a svcq.Policy, owned by the caller) for the
    options: ``calendar`` (copied; None: Monday-Friday 09-18 UTC) and
    ``confirm_days``, ``analyse_days``, ``plan_days``, ``execute_days``,
    ``verify_days``, ``close_days`` (None: the default, "none": tracked
    without deadline). Hosts use it to load stored clocks."""
    o = _sla_options(calendar, policy_version, days)
    out = HANDLE()
    _lib.call(ctx, F['sla_policy_new'], byref(out), ctx._p, byref(o))
    return _sla.Policy(ctx, None, _ptr=out.value)


def sla_enable(ctx, scheduler, calendar=None, policy_version=None, tier_policy=None, **days):
    """Makes every later incident call of `ctx` drive the incident's quality
    clock (policy "quality.incident") in `scheduler` (a svcq.Scheduler: its
    notices reach its own callback), saved with the incident.

    ``calendar`` and the ``*_days`` keywords as sla_policy_new();
    ``tier_policy(client)`` returns the svcq.Policy of a complaining
    client's tier, or None (an exception fails the incident call and is
    raised from it). The context holds the scheduler until sla_disable();
    closing the scheduler disables it first."""
    if scheduler is None or scheduler.ctx is not ctx:
        raise ValueError('incident SLA: the scheduler belongs to another context' if scheduler is not None
                         else 'incident SLA: a scheduler is required')
    link = _SlaLink(ctx, scheduler, tier_policy)
    o = _sla_options(calendar, policy_version, days)
    o.scheduler = scheduler._p
    if link.fn is not None:
        o.tier_policy = link.fn
    _lib.call(ctx, F['sla_enable'], ctx._p, byref(o))
    old = getattr(ctx, '_incident_sla', None)
    if old is not None and old.scheduler is not scheduler:
        old.scheduler._incident_sla_ctxs.discard(ctx)
    ctx._incident_sla = link
    if not hasattr(scheduler, '_incident_sla_ctxs'):
        scheduler._incident_sla_ctxs = set()
    scheduler._incident_sla_ctxs.add(ctx)


def sla_disable(ctx):
    """Stops driving incident clocks (the clocks already in the scheduler stay there)."""
    _lib.call(ctx, F['sla_enable'], ctx._p, None)
    link = getattr(ctx, '_incident_sla', None)
    ctx._incident_sla = None
    if link is not None:
        getattr(link.scheduler, '_incident_sla_ctxs', set()).discard(ctx)


def sla_policy(ctx):
    """The quality policy in force (a svcq.Policy owned by the context, valid
    until the next sla_enable()/sla_disable()), or None when disabled."""
    p = F['sla_policy'](ctx._p)
    return _sla.Policy(ctx, None, _ptr=p, _owned=False) if p else None


def measure_policy_new(ctx, calendar=None, policy_version=None):
    """The measure-deadline policy "quality.measure" (a svcq.Policy, owned by
    the caller) on `calendar`: hosts use it to load stored measure clocks."""
    o = _sla_options(calendar, policy_version, {})
    out = HANDLE()
    _lib.call(ctx, F['measure_policy_new'], byref(out), ctx._p, byref(o))
    return _sla.Policy(ctx, None, _ptr=out.value)


def measure_policy(ctx):
    """The measure-deadline policy in force (owned by the context), or None when disabled."""
    p = F['measure_policy'](ctx._p)
    return _sla.Policy(ctx, None, _ptr=p, _owned=False) if p else None


Reminder = collections.namedtuple('Reminder', 'kind incident measure owner role deadline at level measure_state')


def _notice_c(notice):
    n = _sla.NoticeC()
    n.version = _sla.NoticeC.VERSION
    n.kind = int(notice.kind)
    n.at = _lib.to_time(notice.at, 'notice.at')
    n.subject, n.policy, n.metric = _lib.enc(notice.subject), _lib.enc(notice.policy), _lib.enc(notice.metric)
    n.target, n.level, n.cycle = notice.target, notice.level, notice.cycle
    clock = getattr(notice, 'clock', None)
    n.clock = clock._ptr if clock is not None else None
    return n


def reminder_of(ctx, notice):
    """Whom a notice of a measure clock is for: a Reminder (kind, incident id,
    measure id, the owner now, the role to notify, the deadline now, when it
    fell due, level, measure state). Raises svcq.NotFoundError for a notice of
    another policy or an unknown incident or measure."""
    r = _lib.new_table(ReminderC, F['reminder_init'])
    inc = HANDLE()
    _lib.call(ctx, F['reminder_of'], byref(r), byref(inc), ctx._p, byref(_notice_c(notice)))
    try:
        d = _lib.dec
        return Reminder(_lib.enum_out(_sla.NoticeKind, r.kind), d(r.incident), d(r.measure), d(r.owner),
                        d(r.role), _lib.from_time(r.deadline), _lib.from_time(r.at), r.level,
                        _lib.enum_out(MeasureState, r.measure_state))
    finally:
        Incident(ctx, inc.value).close()


def breach_rule_add(ctx, policy, metric=None, stage=None, id_prefix=None):
    """A breach of `policy` (a name or svcq.Policy; only its target `metric`
    when given) opens a service-delay incident in `stage` (default
    "technical_support") with ids "<id_prefix><24 hex>" (default "SD-")."""
    r = _lib.new_table(BreachRule, F['breach_rule_init'])
    r.policy = _lib.enc(policy.name if isinstance(policy, _sla.Policy) else policy)
    r.metric, r.stage, r.id_prefix = _text(metric), _text(stage), _text(id_prefix)
    _lib.call(ctx, F['breach_rule_add'], ctx._p, byref(r))


def breach_set_lookup(ctx, fn):
    """``fn(subject)`` gives the client and tier of a breached subject: None,
    a client id, or ``(client, tier)`` (tier a svcq.TierLevel, 0-3 or None).
    An exception it raises fails breach_open() (nothing stored) and is
    raised from it (or from the Scheduler.advance() that called it); it
    never reaches C. ``fn`` None removes the lookup."""
    if fn is None:
        _lib.call(ctx, F['breach_set_lookup'], ctx._p, SUBJECT_FN(), None)
        ctx._incident_lookup = None
        return
    keep = []    # the client bytes, borrowed by the library until the next lookup

    def cb(client_out, tier_out, subject, user):
        r = fn(_lib.dec(subject))
        client, tier = (r if isinstance(r, tuple) else (r, None))
        if client is not None and not isinstance(client, str):
            raise TypeError('subject lookup: the client must be a str or None, not %s' % type(client).__name__)
        b = _lib.enc(client)
        keep[:] = [b]
        client_out[0] = b
        tier_out[0] = -1 if tier is None else int(tier)
        return 0
    cfn = SUBJECT_FN(_lib.guard(ctx._pending, cb, _lib.EABORTED))
    _lib.call(ctx, F['breach_set_lookup'], ctx._p, cfn, None)
    ctx._incident_lookup = (cfn, keep)


def breach_open(ctx, notice):
    """Turns a breach notice (a svcq.Notice, as a Scheduler delivers it)
    into a corrective action when a rule matches, at most once per notice.
    Returns ``(BreachOutcome, Incident or None)``. May be called from the
    scheduler's callback."""
    n = _notice_c(notice)
    out, outcome = HANDLE(), c_int32()
    _lib.call(ctx, F['breach_open'], byref(out), byref(outcome), ctx._p, byref(n))
    inc = Incident(ctx, out.value) if out.value else None
    return _lib.enum_out(BreachOutcome, outcome.value), inc


def matrix_set(ctx, role, stage, raci):
    """Sets `role`'s part (a Raci or its label: "responsible", "approves",
    "consulted", "informed", "none") in `stage` (one of STAGES)."""
    _lib.call(ctx, F['matrix_set'], ctx._p, _lib.enc(role), _lib.enum_value(State, stage),
              _lib.enum_value(Raci, raci))


def matrix_get(ctx, role, stage):
    """`role`'s part in `stage` (Raci.NONE for unknown roles or stages)."""
    return _lib.enum_out(Raci, F['matrix_get'](ctx._p, _lib.enc(role), _lib.enum_value(State, stage)))


def matrix_reset(ctx):
    """Puts the default matrix back."""
    _lib.call(ctx, F['matrix_reset'], ctx._p)


def matrix_check(ctx):
    """Raises svcq.StateError naming the first stage without one responsible
    role (or without an approver where one is needed)."""
    _lib.call(ctx, F['matrix_check'], ctx._p)


def matrix_export_markdown(ctx, sink=None):
    """The matrix as a Markdown table (checked first)."""
    return _lib.export(ctx, F['matrix_export_markdown'], ctx._p, sink=sink)


def flow_mermaid(ctx, incident=None, sink=None):
    """The process flow chart (Mermaid), with `incident`'s path marked when given."""
    if incident is not None and incident.ctx is not ctx:
        raise ValueError('incident %s belongs to another context' % incident.id)
    return _lib.export(ctx, F['flow_mermaid'], ctx._p, incident._p if incident is not None else None, sink=sink)


Incident.flow_mermaid = lambda self, sink=None: flow_mermaid(self._ctx, self, sink)
Incident.flow_mermaid.__doc__ = 'The process flow chart with this incident\'s path marked.'

