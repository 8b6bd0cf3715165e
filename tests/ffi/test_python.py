#!/usr/bin/env python3
"""The svcq Python package (src/bindings/python) against the built library.

Every public module from Python; the whole lifecycle (calendar -> policy ->
clock -> scheduler notices -> tier classification -> analysis -> scorecard)
on a host store written in Python (svcq.sqlite_store) and again after a
reopen; callbacks that raise (store, writer, clock, logger, notices) without
crashing the process; the sqlite3 store through the store conformance suite
(a test-only shared library, --conformance); the ctypes mirrors of the
package against the C layout; the package installed with pip into a
temporary target and imported from there. Exits 77 under sanitizers.
"""

import csv
import ctypes
import datetime as dt
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SKIP = 77
OPTS = {'lib': None, 'root': None, 'conformance': None, 'cc': None}
U = dt.timezone.utc
svcq = None


def sh(*a):
    """An aware datetime in Shanghai (UTC+8, no DST since 1991)."""
    return dt.datetime(*a, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Boom(Exception):
    pass


# ------------------------------------------------------------ the layout

class MirrorTest(unittest.TestCase):
    def test_mirrors_match_c_layout(self):
        """Each ctypes mirror of the package has the C compiler's size and field offsets."""
        if not OPTS['cc']:
            self.skipTest('no --cc')
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        sys.path.insert(0, os.path.join(OPTS['root'], 'tests', 'abi'))
        import abicheck
        import test_ffi
        test_ffi.OPTS.update(root=OPTS['root'], cc=OPTS['cc'])
        project = abicheck.Project(OPTS['root'])
        c = test_ffi.c_layouts(project)
        mirrors = svcq._lib.MIRRORS
        self.assertEqual(set(mirrors), set(c), 'one mirror per public table')
        for name, cls in mirrors.items():
            got = test_ffi.ctypes_layout(cls)
            if cls.VERSION == cls.LIB_VERSION:
                self.assertEqual(got, c[name], name)
                continue
            # A mirror of an older version than the headers': the fields it
            # names (its reserved tail aside) sit where the headers put them.
            self.assertLessEqual(got['size'], c[name]['size'], name)
            for field, where in got['fields'].items():
                if not field.startswith('reserved'):  # a later version may use reserved space
                    self.assertEqual(where, c[name]['fields'].get(field), (name, field))

    def test_constants_and_enums_come_from_the_library(self):
        self.assertEqual(svcq.constant('SVCQ_SLA_NEVER'), 2 ** 63 - 1)
        self.assertEqual(svcq.sla.State.BREACHED.label, 'breached')
        self.assertEqual(int(svcq.sla.State.BREACHED), svcq.constant('SVCQ_SLA_BREACHED'))
        self.assertEqual(svcq.Event.FIRST_CONTACT.label, 'first_contact')
        self.assertEqual([c.label for c in svcq.tier.Channel][:2], ['dedicated_hotline', 'dedicated_email'])
        self.assertEqual(svcq.version(), '%d.%d.%d' % tuple(svcq.constant('SVCQ_VERSION_' + p)
                                                            for p in ('MAJOR', 'MINOR', 'PATCH')))
        self.assertEqual(svcq.store_limits()['kind'], svcq.constant('SVCQ_STORE_MAX_KIND'))


# --------------------------------------------------------------- modules

class ContextTest(unittest.TestCase):
    def test_errors_carry_code_and_message(self):
        with svcq.Context() as ctx:
            with self.assertRaises(svcq.InvalidArgumentError) as cm:
                svcq.Policy(ctx, '', 1)
            e = cm.exception
            self.assertIsInstance(e, svcq.SvcqError)
            self.assertIsInstance(e, ValueError)
            self.assertEqual(e.code, svcq.constant('SVCQ_EINVAL'))
            self.assertEqual(e.name, 'SVCQ_EINVAL')
            self.assertTrue(e.message)
            self.assertEqual(e.message, ctx.errmsg)
            with self.assertRaises(svcq.NotFoundError):
                svcq.Policy.load(ctx, 'tier.9', 1)
            self.assertIn('tier.9', ctx.errmsg)

    def test_python_clock_and_logger(self):
        now = [sh(2026, 1, 9, 16, 30)]
        logs = []
        with svcq.Context(clock=lambda: now[0], logger=lambda lvl, msg: logs.append((lvl, msg))) as ctx:
            self.assertEqual(ctx.now(), now[0])
            now[0] = dt.datetime(1960, 1, 1, tzinfo=U)
            self.assertEqual(ctx.now(), now[0])
            # The file store logs a warning when it drops a torn tail.
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, 'j.svcq')
                fs = svcq.FileStore(ctx, path)
                fs.close()
                with open(path, 'ab') as f:
                    f.write(b'\x01garbage')
                fs = svcq.FileStore(ctx, path)
                self.assertEqual(fs.stats()['recovered_dropped_bytes'], 8)
                fs.close()
            self.assertTrue(any(lvl == svcq.LogLevel.WARN for lvl, _ in logs), logs)

    def test_close_frees_open_handles_first_and_handles_refuse_after(self):
        ctx = svcq.Context()
        cal = svcq.Calendar.always_open(ctx)
        pol = svcq.Policy.builtin(ctx, svcq.TierLevel.TIER_1, cal)
        ctx.close()
        self.assertTrue(cal.closed and pol.closed)
        with self.assertRaises(ValueError):
            pol.name
        ctx.close()   # twice is fine
        with svcq.Context() as ctx:
            with svcq.Calendar.always_open(ctx) as c2:
                pass
            self.assertTrue(c2.closed)
            c2.close()

    def test_batch_rolls_back_on_exception(self):
        with svcq.Context() as ctx:
            pol = svcq.Policy.builtin(ctx, svcq.TierLevel.TIER_1)
            with self.assertRaises(Boom):
                with ctx.batch():
                    pol.save()
                    raise Boom()
            with self.assertRaises(svcq.NotFoundError):
                svcq.Policy.load(ctx, 'tier.1', 1)
            with ctx.batch():
                pol.save()
            svcq.Policy.load(ctx, 'tier.1', 1).close()


class CalendarTest(unittest.TestCase):
    def setUp(self):
        self.ctx = svcq.Context()
        self.tz = svcq.Tz.from_posix(self.ctx, 'CST-8')
        self.cal = svcq.Calendar(self.ctx, self.tz)
        self.cal.set_weekdays([1, 2, 3, 4, 5], [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))])

    def tearDown(self):
        self.ctx.close()

    def test_business_time_in_and_out(self):
        cal = self.cal
        cal.set_closed(dt.date(2026, 1, 1))
        cal.set_date_like(dt.date(2026, 1, 4), svcq.Weekday.MONDAY)
        self.assertEqual(cal.add(sh(2025, 12, 31, 17), dt.timedelta(hours=2)), sh(2026, 1, 2, 10))
        self.assertEqual(cal.add_days(sh(2026, 1, 2, 10), 1), sh(2026, 1, 4, 10))   # the swapped Sunday
        self.assertEqual(cal.diff(sh(2026, 1, 2, 9), sh(2026, 1, 2, 18)), dt.timedelta(hours=8))
        self.assertTrue(cal.is_open(sh(2026, 1, 2, 9)))
        self.assertFalse(cal.is_open(sh(2026, 1, 2, 12, 30)))
        self.assertEqual(cal.next_open(sh(2026, 1, 2, 12, 30)), sh(2026, 1, 2, 13))
        self.assertEqual(cal.next_close(sh(2026, 1, 2, 9)), sh(2026, 1, 2, 12))
        self.assertEqual(cal.format(sh(2026, 1, 2, 9), [svcq.TimeFormat.WEEKDAY, svcq.TimeFormat.NO_SECONDS]),
                         'Fri 2026-01-02T09:00+08:00')
        self.assertEqual(cal.weekday(svcq.Weekday.MONDAY), [(dt.timedelta(hours=9), dt.timedelta(hours=12)),
                                                           (dt.timedelta(hours=13), dt.timedelta(hours=18))])
        kinds = [(d, k) for d, k, _, _ in cal.dates()]
        self.assertEqual(kinds, [(dt.date(2026, 1, 1), svcq.DateKind.CLOSED), (dt.date(2026, 1, 4), svcq.DateKind.LIKE)])
        self.assertEqual(self.tz.lookup(sh(2026, 1, 1))[0], dt.timedelta(hours=8))
        self.assertEqual(self.tz.to_utc(dt.datetime(2026, 1, 1, 8)), dt.datetime(2026, 1, 1, tzinfo=U))
        self.assertEqual(self.tz.to_local(dt.datetime(2026, 1, 1, tzinfo=U)), dt.datetime(2026, 1, 1, 8))

    def test_naive_datetimes_are_refused(self):
        with self.assertRaisesRegex(TypeError, 'naive datetime'):
            self.cal.add(dt.datetime(2026, 1, 1), dt.timedelta(hours=1))
        with self.assertRaises(TypeError):
            self.cal.is_open(1767225600)

    def test_json_round_trip_and_store(self):
        text = self.cal.export_json(pretty=True)
        self.assertEqual(json.loads(text)['schema'], 'svcq.calendar/1')
        with svcq.Calendar.import_json(self.ctx, text, zone=self.tz) as again:
            self.assertEqual(again.export_json(pretty=True), text)
        self.cal.save('support-cn')
        with svcq.Calendar.load(self.ctx, 'support-cn', zone=self.tz) as loaded:
            self.assertEqual(loaded.id, 'support-cn')
            self.assertEqual(loaded.revision, self.cal.revision)
        with self.assertRaises(svcq.ConflictError):
            self.cal.copy().save('support-cn')
        with self.assertRaises(svcq.ParseError):
            svcq.Calendar.import_json(self.ctx, '{"schema": ')

    def test_error_names_the_calendar(self):
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            self.cal.set_weekday(8, [])
        self.assertIn('weekday 8', str(cm.exception))


class SlaTest(unittest.TestCase):
    def setUp(self):
        self.ctx = svcq.Context()
        self.cal = svcq.default_calendar(self.ctx, svcq.Tz.fixed(self.ctx, dt.timedelta(hours=8)))

    def tearDown(self):
        self.ctx.close()

    def test_custom_policy_json_and_replay(self):
        p = svcq.Policy(self.ctx, 'hotline', 1)
        p.add_target(metric='first_response', start_event=svcq.Event.REQUEST_RECEIVED,
                     meet_event='first_contact', duration=dt.timedelta(minutes=30), calendar=self.cal,
                     warn_percent=[50], escalate_percent=[200], pause_event='pause', resume_event='resume')
        p.change_mode = svcq.ChangeMode.RECOMPUTE
        self.assertEqual(p.change_mode, svcq.ChangeMode.RECOMPUTE)
        t = p.targets[0]
        self.assertEqual((t.metric, t.duration, t.warn_percent, t.escalate_percent),
                         ('first_response', dt.timedelta(minutes=30), [50], [200]))
        self.assertTrue(p.uses_event('pause'))
        text = p.export_json()
        with svcq.Policy.import_json(self.ctx, text) as q:
            self.assertEqual(q.fingerprint, p.fingerprint)
            self.assertEqual(q.export_json(), text)
        c = svcq.Clock(p, 'T-1')
        c.event('request_received', sh(2026, 1, 9, 9))
        c.event('first_contact', sh(2026, 1, 9, 10))
        st = c.status('first_response', sh(2026, 1, 9, 11))
        self.assertEqual(st.state, svcq.State.BREACHED)
        self.assertEqual(st.met_at, sh(2026, 1, 9, 10))
        self.assertEqual([e[0] for e in c.events()], ['request_received', 'first_contact'])
        # What if the target had been two hours?
        p2 = svcq.Policy(self.ctx, 'hotline', 2)
        p2.add_target(metric='first_response', start_event='request_received', meet_event='first_contact',
                      duration=dt.timedelta(hours=2), calendar=self.cal)
        with svcq.Replay(p2) as r:
            r.add_clock(c, sh(2026, 1, 10))
            self.assertEqual(r.totals('first_response'), (1, 0, 0))
            self.assertEqual(r.subjects, 1)
        self.assertIn('"state":"breached"', c.export_status_json(sh(2026, 1, 9, 11)).replace(' ', ''))
        c.close()

    def test_scheduler_notices_and_save_load(self):
        pol = svcq.Policy.builtin(self.ctx, svcq.TierLevel.TIER_2, self.cal)
        pol.save()
        notices = []
        sched = svcq.Scheduler(self.ctx, notices.append)
        clock = svcq.Clock(pol, 'TICKET-7')
        sched.add(clock)
        self.assertIs(sched.find('TICKET-7', 'tier.2'), clock)
        clock.event(svcq.Event.REQUEST_RECEIVED, sh(2026, 1, 9, 16, 30))
        self.assertEqual(sched.next_at(), sh(2026, 1, 9, 17))
        n = sched.advance(sh(2026, 1, 12, 12))
        self.assertEqual(n, len(notices))
        first = notices[0]
        self.assertEqual((first.kind, first.metric, first.level, first.at),
                         (svcq.NoticeKind.WARNING, 'first_response', 50, sh(2026, 1, 9, 17)))
        self.assertIs(first.clock, clock)
        self.assertIn(svcq.NoticeKind.BREACH, [x.kind for x in notices])
        self.assertEqual(sched.save(), [])
        del clock
        gc.collect()
        self.assertEqual(len(sched), 1, 'the scheduler owns the clock')
        sched2 = svcq.Scheduler(self.ctx, notices.append)
        sched2.load([pol])
        again = sched2.find('TICKET-7', 'tier.2')
        self.assertEqual(sched2.advance(sh(2026, 1, 12, 12)), 0, 'delivered once')
        self.assertIn('| first_response |', again.export_markdown(sh(2026, 1, 12, 12)))
        loaded = svcq.Clock.load([pol], 'tier.2', 'TICKET-7')
        self.assertEqual(loaded.events(), again.events())
        sched.close()
        self.assertTrue(sched.closed)


class TierTest(unittest.TestCase):
    def test_classification_client_profiles_assignment(self):
        with svcq.Context() as ctx:
            s = svcq.TierScheme.builtin(ctx)
            values = {'annual_purchase_share': 12, 'purchase_frequency': 9, 'profit_share': 8,
                      'industry_standing': 4, 'reputation': 4, 'prospect_effect': 4, 'service_complexity': 3}
            r = s.classify(values)
            self.assertIn(r.tier, s.tiers)
            self.assertEqual(r.rank, s.tier_rank(r.tier))
            self.assertIn(r.tier, r.explain())
            self.assertEqual(set(r.factors), set(values))
            self.assertEqual(sum(f[2] for f in r.factors.values()), r.score)
            with self.assertRaises(KeyError):
                s.classify({'nope': 1})
            with svcq.TierScheme.import_json(ctx, s.export_json()) as s2:
                self.assertEqual(s2.export_json(), s.export_json())
            c = svcq.Client(ctx, 'acme', 'ACME Ltd')
            c.reclassify(s, values, sh(2026, 1, 1), 'batch')
            self.assertEqual(c.tier_at(sh(2026, 1, 2))[0], r.tier)
            c.override(s, 'special', sh(2026, 2, 1), None, 'board decision', 'ceo')
            self.assertEqual(c.tier_at(sh(2026, 2, 2)), ('special', 0))
            h = c.history()
            self.assertEqual([x['kind'] for x in h], [svcq.tier.Change.CLASSIFIED, svcq.tier.Change.OVERRIDE])
            c.save()
            with svcq.Client.load(ctx, 'acme') as c2:
                self.assertEqual(c2.export_json(), c.export_json())
            d = svcq.TierDistribution(s, sh(2026, 1, 1), sh(2026, 3, 1))
            d.add(c)
            self.assertIn('|', d.export_markdown())
            errs = []
            with svcq.Client(ctx, 'beta', 'Beta Co') as fresh:
                line = fresh.export_json()
            self.assertEqual(svcq.Client.import_lines(ctx, line + '\n{bad\n',
                                                      lambda line, e: errs.append((line, e))), (1, 1))
            self.assertEqual(errs[0][0], 2)
            self.assertIsInstance(errs[0][1], svcq.SvcqError)
            prof = svcq.TierProfiles(ctx)
            prof.set_channels(1, [svcq.tier.Channel.HOTLINE, 'online'])
            self.assertEqual(prof.channels(1), [svcq.tier.Channel.HOTLINE, svcq.tier.Channel.ONLINE])
            prof.set_resource(1, 'engineer', 2)
            self.assertEqual(prof.resources(1)['engineer'], 2)
            a = svcq.Assigner(ctx)
            a.put_agent('li', 'Li', capacity=3, skills=['network'])
            a.put_agent('wang', 'Wang', capacity=3)
            a.put_team('t1', 'Tier one', svcq.tier.TeamKind.POOL, ['li', 'wang'])
            a.set_route(1, svcq.tier.Strategy.ROUND_ROBIN, 't1')
            dec = a.assign(1, 'item-1', sh(2026, 1, 5, 10), skills=['network'])
            self.assertEqual(dec.agent, 'li')
            self.assertEqual(a.item_agent('item-1'), 'li')
            self.assertTrue(dec.explain())
            self.assertEqual(a.agent_load('li'), 1)


class AnalysisTest(unittest.TestCase):
    def test_tree_root_cause_and_exports(self):
        with svcq.Context() as ctx:
            a = svcq.Analysis(ctx, 'rca-1', 'First response breached', svcq.analysis.Template.T6M)
            self.assertEqual(len(a.nodes()), 1 + len(svcq.analysis.template_categories('6m')))
            people = a.node('e')['children'][0]
            c = a.add_cause(people, 'Night shift understaffed')
            w1 = a.add_why(c, 'Rota ignores the evening peak')
            a.add_why(w1, 'Peak data not shared with planning')
            with self.assertRaises(svcq.SvcqError):
                a.set_root_cause(w1)              # a hypothesis without evidence
            a.set_status(w1, svcq.analysis.Status.CONFIRMED)
            a.add_evidence(w1, svcq.analysis.EvidenceKind.SYSTEM_LOG, 'queue://2026-01', 'queue length',
                           'ops', sh(2026, 1, 9))
            a.set_root_cause(w1)
            self.assertEqual(a.root_causes, [w1])
            self.assertTrue(a.short_branches)
            self.assertIn('Night shift understaffed', a.export_report())
            self.assertTrue(a.export_svg().startswith('<svg') or '<svg' in a.export_svg())
            self.assertIn('digraph', a.export_dot())
            self.assertTrue(a.export_mermaid())
            text = a.export_json()
            with svcq.Analysis.import_json(ctx, text) as b:
                self.assertEqual(b.export_json(), text)
            a.save()
            with svcq.Analysis.load(ctx, 'rca-1') as b:
                self.assertEqual(b.root_causes, [w1])


class ScorecardTest(unittest.TestCase):
    def test_template_period_ranking(self):
        S = svcq.scorecard
        with svcq.Context() as ctx:
            t = S.Template.builtin(ctx)
            self.assertEqual(t.composite[:2], (60, 40))
            text = t.export('json')
            with S.Template.import_json(ctx, text) as t2:
                self.assertEqual(t2.export('json'), text)
            t.save()
            self.assertTrue(t.export('markdown'))



class IncidentTest(unittest.TestCase):
    """The whole corrective loop from Python: two loops, the audit chain verified."""

    def setUp(self):
        self.now = [dt.datetime(2026, 1, 5, 2, tzinfo=U)]
        self.ctx = svcq.Context(clock=lambda: self.now[0])
        self.I = svcq.incident

    def tearDown(self):
        self.ctx.close()

    def report(self, id, **kw):
        spec = dict(type='service_delay', stage='technical_support', channel='phone',
                    observed='Callback promised within 1 h came after 3 h', reporter_name='Li Na')
        spec.update(kw)
        return svcq.Incident.report(self.ctx, id, 'Li Na', 'agent', **spec)

    def confirm(self, inc):
        inc.add_confirmer('Zhao Min', 'supervisor', 'Zhao Min', 'service_supervisor')
        inc.add_confirmer('Zhao Min', 'supervisor', 'Sun Li', 'quality_staff')
        inc.confirm('Zhao Min', 'supervisor', category='process_gap', responsible_unit='Support tier 1')

    def analysis(self, id, text):
        a = svcq.Analysis(self.ctx, id, 'Late callbacks', '6m')
        k = a.node('e')['children'][2]
        c = a.add_cause(k, text)
        a.set_status(c, 'confirmed')
        a.add_evidence(c, 'system_log', 'log://queue', 'queue length', 'QA', self.now[0])
        a.set_root_cause(c)
        return a, c

    def plan_and_execute(self, inc, a, cause, target):
        mid = inc.add_measure('Wang Wei', 'team_lead', kind='process_change', what='Written handover',
                              root_cause=(a, cause), owner='Wang Wei',
                              deadline=self.now[0] + dt.timedelta(days=7), indicator='callback delay',
                              unit='h', baseline=3000, target=target,
                              direction=self.I.Direction.LOWER_IS_BETTER, feasibility='No extra staff',
                              expected_effect='Callbacks within 1 h', approved_by='Zhao Min')
        inc.transition('Zhao Min', 'supervisor', 'executing', 'approved')
        inc.progress('Wang Wei', 'team_lead', mid, 60, 'half the shifts')
        self.assertEqual(inc.measures[mid], self.I.MeasureState.IN_PROGRESS)
        return mid

    def test_two_loops_audit_and_archive(self):
        I = self.I
        inc = self.report('INC-7', client='acme', containment='Supervisor called back at once')
        self.assertEqual((inc.id, inc.state, inc.loop_count), ('INC-7', I.State.REPORTED, 0))
        self.assertEqual(inc.reported_at, self.now[0])
        inc.add_attachment('Li Na', 'agent', 'system_log', 'log://call-7')
        # A guard refusal is a StateError carrying the guard's message.
        with self.assertRaises(svcq.StateError) as cm:
            inc.confirm('Zhao Min', 'supervisor', category='process_gap', responsible_unit='Support tier 1')
        self.assertEqual(cm.exception.message,
                         'incident INC-7: cannot confirm: the confirmation group has no service_supervisor')
        self.assertEqual(inc.state, I.State.REPORTED, 'a refused move changes nothing')
        self.confirm(inc)
        self.assertEqual((inc.state, inc.category), (I.State.CONFIRMED, 'process_gap'))
        inc.transition('Sun Li', 'quality_staff', I.State.ANALYSING)
        with self.assertRaises(svcq.StateError) as cm:
            inc.transition('Sun Li', 'quality_staff', 'planning')
        self.assertIn('no analysis attached', cm.exception.message)

        # Loop 0: a measure whose indicator falls short.
        a, cause = self.analysis('a7', 'No handover at shift change')
        inc.attach_analysis('Sun Li', 'quality_staff', a)
        self.assertEqual(inc.analyses, ['a7'])
        inc.transition('Sun Li', 'quality_staff', 'planning')
        m1 = self.plan_and_execute(inc, a, cause, 1000)
        inc.deviation('Wang Wei', 'team_lead', m1, 'night shift skipped it', 'no template yet')
        inc.adjust('Wang Wei', 'team_lead', m1, 'template first', 'Zhao Min',
                   new_deadline=self.now[0] + dt.timedelta(days=10))
        with self.assertRaises(svcq.StateError) as cm:
            inc.transition('Zhao Min', 'supervisor', 'verifying')
        self.assertIn(m1, cm.exception.message)
        inc.measure_done('Wang Wei', 'team_lead', m1)
        inc.transition('Zhao Min', 'supervisor', 'verifying')
        self.assertGreater(inc.window_end, self.now[0])
        with self.assertRaises(svcq.StateError):
            inc.verify('Sun Li', 'quality_staff', 4100, 4300)    # the window has not ended
        self.now[0] = inc.window_end + dt.timedelta(hours=1)
        inc.record_indicator('Sun Li', 'quality_staff', m1, 2500)
        self.assertEqual(inc.evaluate(), (I.Verdict.NOT_EFFECTIVE, 0))
        self.assertEqual(inc.verify('Sun Li', 'quality_staff', 4100, 4300), I.Verdict.NOT_EFFECTIVE)
        self.assertEqual((inc.state, inc.loop_count), (I.State.ANALYSING, 1))

        # Loop 1: a deeper cause, a second measure, effective.
        b, cause2 = self.analysis('a8', 'Handover template missing a callback field')
        inc.attach_analysis('Sun Li', 'quality_staff', b)
        inc.transition('Sun Li', 'quality_staff', 'planning')
        m2 = self.plan_and_execute(inc, b, cause2, 1000)
        self.assertNotEqual(m1, m2)
        inc.measure_done('Wang Wei', 'team_lead', m2)
        inc.transition('Zhao Min', 'supervisor', 'verifying')
        self.now[0] = inc.window_end + dt.timedelta(hours=1)
        inc.record_indicator('Sun Li', 'quality_staff', m2, 800)
        self.assertEqual(inc.verify('Sun Li', 'quality_staff', 4100, 4600), I.Verdict.EFFECTIVE)
        self.assertEqual(inc.last_verdict, I.Verdict.EFFECTIVE)
        with self.assertRaises(svcq.StateError) as cm:
            inc.transition('Zhao Min', 'supervisor', 'closed')
        self.assertIn('improvement', cm.exception.message)
        inc.add_improvement('Zhao Min', 'supervisor', 'operating_manual', 'doc://manual#handover')
        inc.set_lessons('Zhao Min', 'supervisor', 'Templates before training')
        inc.transition('Zhao Min', 'supervisor', 'closed')
        self.assertEqual((inc.state, inc.loop_count), (I.State.CLOSED, 1))

        # The audit chain: every change one entry, verified from the store.
        self.assertEqual(svcq.incident.audit_verify(self.ctx, 'INC-7'), inc.audit_count)
        self.assertGreater(inc.audit_count, 20)
        self.assertEqual(len(inc.audit_head), 64)
        trail = json.loads(inc.audit_export('json'))
        self.assertEqual(len(trail), inc.audit_count)
        md = inc.audit_export(tz=svcq.Tz.fixed(self.ctx, dt.timedelta(hours=8)))
        self.assertIn('Zhao Min', md)
        record = json.loads(inc.export_json(pretty=True))
        self.assertEqual((record['schema'], record['id']), ('svcq.incident/1', 'INC-7'))
        with svcq.Incident.load(self.ctx, 'INC-7') as again:
            self.assertEqual(again.export_json(), inc.export_json())

        # Reject, cancel, reopen; the archive as iterators.
        other = self.report('INC-8')
        other.reject('Zhao Min', 'supervisor', 'customer misdialled')
        third = self.report('INC-9', stage='after_sales')
        with self.assertRaises(svcq.InvalidArgumentError):
            third.cancel('Zhao Min', 'supervisor', None)             # a cancel needs a reason
        third.cancel('Zhao Min', 'supervisor', 'duplicate of INC-7')
        self.assertEqual(third.state, I.State.CANCELLED)
        self.assertEqual(list(svcq.incident.ids(self.ctx)), ['INC-7', 'INC-8', 'INC-9'])
        self.assertEqual(list(svcq.incident.ids(self.ctx, state='rejected')), ['INC-8'])
        self.assertEqual(list(svcq.incident.ids(self.ctx, stage='after_sales')), ['INC-9'])
        self.assertEqual(list(svcq.incident.ids(self.ctx, client='acme')), ['INC-7'])
        self.assertEqual([x.state for x in svcq.incident.find(self.ctx, type='service_delay')],
                         [I.State.CLOSED, I.State.REJECTED, I.State.CANCELLED])
        seen = []
        svcq.incident.walk(self.ctx, lambda i: seen.append(i) or len(seen) == 2)
        self.assertEqual(seen, ['INC-7', 'INC-8'], 'a true value stops the walk without an error')
        recur = self.report('INC-10')
        self.assertEqual(list(inc.similar()), [])
        self.confirm(recur)                      # same type, stage and category: similar
        self.assertEqual(recur.similarity_key, 'service_delay|technical_support|process_gap')
        self.assertEqual(list(inc.similar()), ['INC-10'])
        self.assertEqual(list(recur.similar()), ['INC-7'])
        inc.reopen('Sun Li', 'quality_staff', recur)
        self.assertEqual((inc.state, inc.loop_count), (I.State.ANALYSING, 2))
        self.assertEqual(svcq.incident.audit_verify(self.ctx, 'INC-7'), inc.audit_count)

    def test_overdue_vocabularies_options(self):
        I = self.I
        self.assertTrue(I.transition_allowed('verifying', I.State.ANALYSING))
        self.assertFalse(I.transition_allowed('closed', 'planning'))
        self.assertEqual(list(I.vocabulary(self.ctx, 'channel'))[:2], ['phone', 'email'])
        I.vocab_add(self.ctx, I.Vocab.TYPE, 'billing_error', 'Billing error')
        self.assertEqual(I.vocabulary(self.ctx, 'type')['billing_error'], 'Billing error')
        with self.assertRaises(svcq.ExistsError):
            I.vocab_add(self.ctx, 'type', 'billing_error', 'again')
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            self.report('INC-X', type='nope')
        self.assertIn('nope', cm.exception.message)
        I.configure(self.ctx, window_days=5, group_roles=['quality_staff'], reopen_period=dt.timedelta(days=7))
        with self.assertRaises(svcq.InvalidArgumentError):
            I.configure(self.ctx, reopen_period=-1)
        inc = self.report('INC-1', type='billing_error')
        inc.add_confirmer('Zhao Min', 'supervisor', 'Sun Li', 'quality_staff')
        inc.confirm('Zhao Min', 'supervisor', category='process_gap', responsible_unit='Billing')
        inc.transition('Sun Li', 'quality_staff', 'analysing')
        a, cause = self.analysis('a1', 'Rate table stale')
        inc.attach_analysis('Sun Li', 'quality_staff', a)
        inc.transition('Sun Li', 'quality_staff', 'planning')
        mid = self.plan_and_execute(inc, a, cause, 1000)
        self.assertFalse(inc.measure_overdue(mid))
        self.now[0] += dt.timedelta(days=8)
        self.assertTrue(inc.measure_overdue(mid))
        with self.assertRaises(KeyError):
            inc.measure_overdue('m99')
        got = list(I.overdue(self.ctx, self.now[0]))
        self.assertEqual([(i, m) for i, m, _ in got], [('INC-1', mid)])
        self.assertEqual(got[0][2], dt.datetime(2026, 1, 12, 2, tzinfo=U))
        inc.measure_done('Wang Wei', 'team_lead', mid)
        inc.transition('Zhao Min', 'supervisor', 'verifying')
        self.assertEqual(inc.window_end - self.now[0], dt.timedelta(days=5), 'window_days applies')
        with self.assertRaises(svcq.CorruptError if False else svcq.NotFoundError):
            I.audit_verify(self.ctx, 'INC-none')


def utc(*a):
    return dt.datetime(*a, tzinfo=U)


class MetricsTest(unittest.TestCase):
    """KPIs on a four-fact fixture computed by hand, the weekly report, import, cycles, risk points."""

    def setUp(self):
        self.ctx = svcq.Context()
        self.M = svcq.metrics
        self.m = svcq.Metrics(self.ctx)          # 7x24 in UTC, FCR one agent reply, cohort
        F = svcq.Fact
        mon = utc(2026, 1, 5, 9)
        self.m.put(F('T1', mon, client='acme', tier='tier.1', category='billing', complaint=True,
                     first_reply=mon + dt.timedelta(seconds=600), resolved=mon + dt.timedelta(hours=2),
                     agent_replies=1, csat=5, sla={'first_response': 'met'}))
        self.m.put(F('T2', utc(2026, 1, 6, 10), client='beta', tier='tier.2', category='network', complaint=True,
                     first_reply=utc(2026, 1, 6, 10, 20), resolved=utc(2026, 1, 6, 15), agent_replies=2, csat=3,
                     sla={'first_response': self.M.SlaOutcome.BREACHED}))
        self.m.put(F('T3', utc(2026, 1, 7, 11), client='acme', tier='tier.1', category='billing', complaint=True,
                     first_reply=utc(2026, 1, 7, 12), sla={'first_response': 'pending'}))
        self.m.put(id='T4', received=utc(2026, 1, 8, 8), client='gamma', tier='tier.1', category='network',
                   resolved=utc(2026, 1, 8, 9), agent_replies=1, csat=4, repeat=True)

    def tearDown(self):
        self.ctx.close()

    def test_kpis_by_hand(self):
        M, m, week = self.M, self.m, utc(2026, 1, 7)
        self.assertEqual(len(m), 4)
        self.assertEqual(m.period_bounds(M.Period.WEEK, week), (utc(2026, 1, 5), utc(2026, 1, 12), '2026-W02'))

        def k(kpi, dim=M.Dim.ALL, value=None):
            v = m.kpi(kpi, 'week', week, dim, value)
            return v.value, v.numerator, v.denominator, v.excluded
        # Rated T1 5, T2 3, T4 4 (T3 unrated): 2 of 3 satisfied, mean 12 / 3.
        self.assertEqual(k(M.Kpi.CSAT_SATISFIED), (66667, 2, 3, 1))
        self.assertEqual(k('csat_mean'), (4000, 12, 3, 1))
        # Resolved T1, T2, T4; one agent reply: T1, T4.
        self.assertEqual(k(M.Kpi.FCR)[:3], (66667, 2, 3))
        # Responses 600, 1200, 3600 s (T4 none): mean 1800 s, median the 2nd, p90 the 3rd.
        self.assertEqual(k(M.Kpi.RESPONSE_MEAN), (1800000, 5400, 3, 1))
        self.assertEqual(k(M.Kpi.RESPONSE_MEDIAN)[0], 1200000)
        self.assertEqual(k(M.Kpi.RESPONSE_P90)[0], 3600000)
        self.assertEqual(k(M.Kpi.RESPONSE_BIZ_MEAN)[0], 1800000, '7x24: business = calendar time')
        self.assertEqual(k(M.Kpi.RESOLUTION_RATE)[:3], (75000, 3, 4))
        self.assertEqual(k(M.Kpi.COMPLAINT_RATE)[:3], (100000, 3, 3))   # 3 complaints / 3 clients
        self.assertEqual(k(M.Kpi.RECURRENCE_RATE)[:3], (25000, 1, 4))
        self.assertEqual(k(M.Kpi.SLA_COMPLIANCE)[:3], (50000, 1, 2))      # pending not counted
        v = m.kpi('measures_on_time', 'week', week)
        self.assertEqual((v.defined, v.value, v.target_state), (False, None, M.TargetState.NONE))
        # Default targets: FCR >= 80 % missed, mean response <= 30 min met.
        fcr = m.kpi('fcr', 'week', week)
        self.assertEqual((fcr.target, fcr.target_state), (80000, M.TargetState.MISSED))
        self.assertEqual(m.kpi('response_mean', 'week', week).target_state, M.TargetState.MET)
        # Per dimension: tier.1 is T1, T3, T4; resolved T1, T4, both one reply.
        self.assertEqual(k(M.Kpi.FCR, M.Dim.TIER, 'tier.1')[:3], (100000, 2, 2))
        self.assertEqual(m.sla_compliance('week', week, 'tier', 'tier.2', 'first_response').value, 0)
        self.assertEqual(len(m.kpis('month', week)), len(M.Kpi))
        # Replacing a fact replaces its contribution.
        m.put(svcq.Fact('T2', utc(2026, 1, 6, 10), client='beta', agent_replies=1, resolved=utc(2026, 1, 6, 11)))
        self.assertEqual(k(M.Kpi.FCR)[:3], (100000, 3, 3))
        self.assertEqual(len(m), 4)
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            m.put(svcq.Fact('T9', utc(2026, 1, 6), csat=9))
        self.assertIn('csat', cm.exception.message)
        with self.assertRaises(TypeError):
            m.put(svcq.Fact('T9', dt.datetime(2026, 1, 6)))             # naive: no instant

    def test_exports_and_weekly_report(self):
        M, m, week = self.M, self.m, utc(2026, 1, 7)
        j = json.loads(m.export_kpis('week', week, format='json'))
        self.assertEqual(j['period']['label'], '2026-W02')
        self.assertEqual({x['kpi']: x['value'] for x in j['kpis']}['resolution_rate'], 75000)
        self.assertIn('one_agent_reply', m.export_kpis('week', week))
        self.assertTrue(m.export_kpis('week', week, format='csv').splitlines()[0])
        rep = json.loads(m.weekly_report(week, 'json', open_incidents=2, reporters={'Li Na': 3}))
        top = [(t['category'], t['count']) for t in rep['complaints']['top']]
        self.assertEqual(top, [('billing', 2), ('network', 1)])
        self.assertEqual(rep['complaints']['total'], 3)
        self.assertEqual(rep['open_incidents'], 2)
        self.assertEqual(rep['reporters'], [{'name': 'Li Na', 'reports': 3}])
        md = m.weekly_report(week)
        self.assertLess(md.index('billing'), md.index('network'))
        for fmt in (M.Format.SVG_TOP, 'svg_trend'):
            self.assertIn('<svg', m.weekly_report(week, fmt))
        self.assertIn('billing', m.weekly_report(week, 'csv'))
        chunks = []
        self.assertIsNone(m.weekly_report(week, 'markdown', sink=chunks.append))
        self.assertEqual(b''.join(chunks).decode(), md)

    def test_import_with_rejects(self):
        m = svcq.Metrics(self.ctx, name='imp')
        lines = '\n'.join([
            '{"id": "A1", "received": "2026-01-05T09:00:00Z", "csat": 4}',
            '{"id": "A2", "received": "2026-01-05T10:00:00Z", "csat": 9}',
            '{"id": "A3", "received": 1767607200, "complaint": true, "category": "billing"}'])
        rejects = []
        self.assertEqual(m.import_facts(lines, on_reject=lambda *r: rejects.append(r)), (2, 1))
        line, column, err = rejects[0]
        self.assertEqual(line, 2)
        self.assertIsInstance(err, svcq.SvcqError)
        self.assertIn('line 2', err.message)
        self.assertIn('csat', err.message)
        csv = 'id,received,csat\nB1,2026-01-06T09:00:00Z,5\nB2,not a date,3\n'
        self.assertEqual(m.import_facts(csv, 'csv', on_reject=lambda *r: None), (1, 1))
        self.assertEqual(len(m), 3)
        with self.assertRaises(svcq.ParseError):
            m.import_facts('nope,received\n', self.M.ImportFormat.CSV)
        # A callback returning a true value stops the import (AbortedError); lines before stay.
        with self.assertRaises(svcq.AbortedError):
            m.import_facts('{"id": "C1", "received": 0, "csat": 9}\n{"id": "C2", "received": 0}',
                           on_reject=lambda *r: True)
        self.assertEqual(len(m), 3)

    def test_cycles_and_risk_points(self):
        M, m = self.M, self.m
        prof = svcq.TierProfiles(self.ctx)
        self.assertEqual(m.due(prof, 1, utc(2026, 1, 5, 12)),
                         {svcq.tier.EvalMetric.RESPONSE_TIME, svcq.tier.EvalMetric.RESOLUTION_RATE})
        self.assertIn(svcq.tier.EvalMetric.COMPLAINT_RATE, m.due(prof, 1, utc(2026, 2, 1, 12)))
        self.assertIn('tier.1', m.cycle_report(prof, 1, 'tier.1', utc(2026, 1, 12, 12)))
        r = svcq.Metrics(self.ctx, name='risk')
        for week, n in ((0, 1), (1, 2), (2, 3)):
            for i in range(n):
                r.put(svcq.Fact('R%d-%d' % (week, i), utc(2026, 1, 5 + 7 * week, 9), category='billing',
                                complaint=True, client='c%d' % i))
        points = json.loads(r.risk_points('week', utc(2026, 1, 19), 3, 'json'))['points']
        # Counts 1, 2, 3: a run of three periods (the library counts the periods of the
        # strictly rising run, its first included), growth 3 - 1.
        self.assertEqual([(p['dimension'], p['value'], p['rising_periods'], p['growth']) for p in points],
                         [('category', 'billing', 3, 2)])
        self.assertIn('billing', r.risk_points(M.Period.WEEK, utc(2026, 1, 19), 3))


class BlueprintTest(unittest.TestCase):
    """svcq.blueprint: edits, save/load/versions, JSON byte for byte, the overlay by hand."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ctx = svcq.Context()
        self.ctx.set_store(svcq.FileStore(self.ctx, os.path.join(self.tmp.name, 'bp.svcq'),
                                          durability=svcq.Durability.NONE))
        self.B = svcq.blueprint

    def tearDown(self):
        self.ctx.close()
        self.tmp.cleanup()

    def build(self):
        B = self.B
        bp = svcq.Blueprint(self.ctx, 'complaints', 'Complaint handling')
        bp.add_step(key='report', title='Complaint received', stage='reception', channel='phone',
                    customer='Calls the hotline', front='Agent records it', back='Ticket routed')
        bp.add_step(B.Step('fix', 'Bill corrected', 'technical_support', back='Billing fixes it',
                           support='Billing system'))
        bp.add_step(B.Step('close', 'Customer told', 'complaint_handling', customer='Reads the letter'),
                    position=1)
        bp.move_step('close', -1)
        bp.add_risk(key='r1', step='report', failure='No ticket number given', severity='high',
                    contingency='Supervisor calls back', owner='team_lead', watch_name='first_response')
        bp.add_risk(B.Risk('r2', 'fix', 'Wrong correction', B.Severity.CRITICAL, watch=B.Watch.INDICATOR,
                           watch_name='fcr'))
        return bp

    def test_round_trip_versions_and_errors(self):
        B = self.B
        bp = self.build()
        self.assertEqual([s.key for s in bp.steps], ['report', 'fix', 'close'])
        self.assertEqual(bp.risks[1].severity, B.Severity.CRITICAL)
        self.assertEqual(bp.risks[0].watch, B.Watch.SLA_TARGET)
        self.assertTrue(bp.crosses('report', B.Line.VISIBILITY))
        self.assertFalse(bp.crosses('close', 'interaction'))
        self.assertIn('reception', B.stage_keys())
        self.assertIn('wechat', B.channel_keys())
        # Refusals name the object and leave the blueprint as it was.
        before = bp.export_json()
        with self.assertRaises(svcq.NotFoundError) as cm:
            bp.add_risk(key='r9', step='nope', failure='x')
        self.assertIn('nope', cm.exception.message)
        with self.assertRaises(svcq.StateError) as cm:
            bp.remove_step('report')
        self.assertIn('r1', cm.exception.message)
        with self.assertRaises(svcq.InvalidArgumentError):
            bp.add_step(key='x', title='No stage', stage=None)
        with self.assertRaises(svcq.ExistsError):
            bp.add_step(key='fix', title='Again', stage='reception')
        self.assertEqual(bp.export_json(), before)
        # JSON: export, import, export gives the same bytes (pretty too).
        for pretty in (False, True):
            j = bp.export_json(pretty=pretty)
            with B.Blueprint.import_json(self.ctx, j) as copy:
                self.assertEqual(copy.export_json(pretty=pretty), j)
        self.assertEqual(json.loads(before)['schema'], 'svcq.blueprint/1')
        with self.assertRaises(svcq.ParseError):
            B.Blueprint.import_json(self.ctx, '{"schema":')
        # Versions: save 1, edit, save 2; an unchanged save writes nothing.
        self.assertEqual(bp.save(), 1)
        self.assertFalse(bp.changed)
        v1 = bp.export_json()
        bp.title = 'Complaints, second edition'
        bp.update_step('close', title='Customer told in writing', stage='complaint_handling', channel='email')
        self.assertEqual(bp.save(), 2)
        self.assertEqual(bp.save(), 2)
        with B.Blueprint.load(self.ctx, 'complaints') as cur:
            self.assertEqual(cur.export_json(), bp.export_json())
            self.assertEqual(cur.version, 2)
        with B.Blueprint.load(self.ctx, 'complaints', version=1) as old:
            self.assertEqual(old.export_json(), v1)
            with self.assertRaises(svcq.StateError):
                old.save()
        # Compare and swap: the second writer of the same revision conflicts.
        a, b = B.Blueprint.load(self.ctx, 'complaints'), B.Blueprint.load(self.ctx, 'complaints')
        a.remove_risk('r2')
        b.title = 'Another edit'
        a.save()
        with self.assertRaises(svcq.ConflictError):
            b.save()
        self.assertEqual(B.Blueprint.load(self.ctx, 'complaints').version, 3)
        with self.assertRaises(svcq.NotFoundError):
            B.Blueprint.load(self.ctx, 'complaints', version=9)

    def test_overlay_on_hand_counted_observations(self):
        B = self.B
        bp = self.build()
        jan = dt.datetime(2026, 1, 1, tzinfo=U)
        ov = B.Overlay(self.ctx, jan, dt.datetime(2026, 2, 1, tzinfo=U))
        d = lambda day: dt.datetime(2026, 1, day, 10, tzinfo=U)   # noqa: E731
        self.assertTrue(ov.add('INC-1', d(5), step='report', recurrence=True, open_actions=2,
                               breached=['first_response']))
        self.assertTrue(ov.add('INC-2', d(6), step='report', state='closed', breached=['resolution']))
        self.assertTrue(ov.add('INC-3', d(7), step='fix', breached=['first_response']))
        self.assertTrue(ov.add('INC-4', d(8), step='close', state=B.ObsState.CLOSED))
        self.assertTrue(ov.add('INC-5', d(9), stage='after_sales'))
        self.assertTrue(ov.add('INC-6', d(9), step='nope'))
        self.assertFalse(ov.add('INC-7', dt.datetime(2026, 2, 1, tzinfo=U), step='report'))  # 'to' excluded
        with self.assertRaises(svcq.ExistsError):
            ov.add('INC-1', d(10), step='fix')
        self.assertEqual((len(ov), ov.skipped), (6, 1))
        S = B.StepStats
        # report: INC-1 (open, recurrence, 2 actions, breached r1's target), INC-2 (closed, other target).
        self.assertEqual(ov.step(bp, 'report'), S(incidents=2, recurrences=1, open=1, open_actions=2, breaches=1,
                                                  risk_points=1, unplanned=False))
        # fix: r2 is watched by an indicator, so INC-3's SLA breach is not one of its breaches.
        self.assertEqual(ov.step(bp, 'fix'), S(1, 0, 1, 0, 0, 1, False))
        # close: an incident and no risk point: an unplanned risk.
        self.assertEqual(ov.step(bp, 'close'), S(1, 0, 0, 0, 0, 0, True))
        self.assertEqual((ov.risk_breaches(bp, 'r1'), ov.risk_breaches(bp, 'r2')), (1, 0))
        self.assertEqual(ov.unplaced(bp), 2)
        self.assertEqual((ov.unplaced(bp, 'after_sales'), ov.unplaced(bp, None), ov.unplaced(bp, 'reception')),
                         (1, 1, 0))
        with self.assertRaises(svcq.NotFoundError):
            ov.step(bp, 'nope')
        md = bp.export_markdown(ov)
        self.assertIn('close', md)
        svg = bp.export_svg(ov)
        self.assertTrue(svg.lstrip().startswith('<'))
        self.assertIn('</svg>', svg)
        self.assertIn('flowchart', bp.export_mermaid())
        chunks = []
        self.assertIsNone(bp.export_svg(ov, sink=chunks.append))
        self.assertEqual(b''.join(chunks).decode(), svg)
        with svcq.Context() as other:
            with self.assertRaises(ValueError):
                B.Overlay(other, jan, d(2)).step(bp, 'report')


S1 = dt.timedelta(seconds=1)


class IncidentLoopTest(unittest.TestCase):
    """The incident's own quality clock, breach rules, the matrix and the flow chart."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.now = [dt.datetime(2026, 1, 5, 10, tzinfo=U)]          # Monday 10:00 UTC
        self.ctx = svcq.Context(clock=lambda: self.now[0])
        self.ctx.set_store(svcq.FileStore(self.ctx, os.path.join(self.tmp.name, 'inc.svcq'),
                                          durability=svcq.Durability.NONE))
        self.I = svcq.incident
        self.cal = svcq.Calendar(self.ctx, 'UTC')
        self.cal.set_weekdays(range(1, 6), [(dt.time(9), dt.time(18))])
        self.notices = []
        self.on_notice = None
        self.sched = svcq.Scheduler(self.ctx, lambda n: self.on_notice(n) if self.on_notice else
                                    self.notices.append(n))

    def tearDown(self):
        self.ctx.close()
        self.tmp.cleanup()

    def report(self, id):
        return svcq.Incident.report(self.ctx, id, 'Li Na', 'agent', type='service_delay', stage='technical_support',
                                    channel='phone', observed='Callback came after 3 h', reporter_name='Li Na')

    def test_quality_clock_notices(self):
        I = self.I
        self.assertIsNone(I.sla_policy(self.ctx))
        I.sla_enable(self.ctx, self.sched, calendar=self.cal, analyse_days=2)
        self.assertEqual(I.sla_policy(self.ctx).name, I.SLA_POLICY)
        inc = self.report('INC-1')
        clock = self.sched.find('INC-1', I.SLA_POLICY)
        self.assertIsNotNone(clock)
        # confirm: 1 business day, the same wall-clock time on the next business day.
        tue = dt.datetime(2026, 1, 6, 10, tzinfo=U)
        self.sched.advance(tue - dt.timedelta(seconds=1))
        self.assertTrue(self.notices)
        self.assertTrue(all(n.kind == svcq.NoticeKind.WARNING and n.metric == 'confirm' for n in self.notices))
        self.assertEqual(sorted(n.level for n in self.notices), [50, 80])
        self.notices.clear()
        self.sched.advance(tue)
        self.assertEqual(self.notices, [])                  # due at 10:00, breached once it has passed
        self.sched.advance(tue + S1)
        self.assertEqual([(n.kind, n.metric, n.subject, n.policy, n.at) for n in self.notices],
                         [(svcq.NoticeKind.BREACH, 'confirm', 'INC-1', I.SLA_POLICY, tue + S1)])
        # Confirmed on Tuesday 11:00: the analyse target starts (2 days: Thursday 11:00).
        self.now[0] = dt.datetime(2026, 1, 6, 11, tzinfo=U)
        inc.add_confirmer('Zhao Min', 'supervisor', 'Zhao Min', 'service_supervisor')
        inc.add_confirmer('Zhao Min', 'supervisor', 'Sun Li', 'quality_staff')
        inc.confirm('Zhao Min', 'supervisor', category='process_gap', responsible_unit='Support tier 1')
        self.notices.clear()
        thu = dt.datetime(2026, 1, 8, 11, tzinfo=U)
        self.sched.advance(thu + S1)
        self.assertIn((svcq.NoticeKind.BREACH, 'analyse', thu + S1),
                      [(n.kind, n.metric, n.at) for n in self.notices])
        self.assertNotIn('confirm', [n.metric for n in self.notices])
        # Closing the scheduler stops the link first: incident calls go on without it.
        self.sched.close()
        self.assertIsNone(I.sla_policy(self.ctx))
        self.report('INC-2')

    def test_breach_opens_one_incident_across_redelivery(self):
        I = self.I
        I.sla_enable(self.ctx, self.sched, calendar=self.cal)
        I.breach_rule_add(self.ctx, I.SLA_POLICY, metric='confirm', id_prefix='SD-')
        with self.assertRaises(svcq.ExistsError):
            I.breach_rule_add(self.ctx, I.SLA_POLICY, metric='confirm')
        I.breach_set_lookup(self.ctx, lambda subject: ('acme', svcq.TierLevel.TIER_1) if subject == 'INC-1'
                            else None)
        self.report('INC-1')
        outcomes, opened, fail = [], [], [True]

        def on_notice(n):
            outcome, inc = I.breach_open(self.ctx, n)
            outcomes.append((n.kind, outcome))
            if inc is not None:
                opened.append((inc.id, inc.client, inc.type))
                inc.close()
            if outcome == I.BreachOutcome.OPENED and fail[0]:
                fail[0] = False
                raise Boom('the pager is down after the incident was opened')   # the notice comes again
        self.on_notice = on_notice
        # The host's time moves with the scheduler: the new incident's own
        # confirm clock starts now and is not breached in this test.
        self.now[0] = dt.datetime(2026, 1, 6, 10, 0, 1, tzinfo=U)
        with self.assertRaises(Boom):
            self.sched.advance(self.now[0])
        self.sched.advance(self.now[0])
        B = svcq.NoticeKind.BREACH
        self.assertEqual([o for k, o in outcomes if k == B], [I.BreachOutcome.OPENED, I.BreachOutcome.DUPLICATE])
        self.assertTrue(all(o == I.BreachOutcome.IGNORED for k, o in outcomes if k != B))
        self.assertEqual(len(opened), 1)
        sd, client, type_ = opened[0]
        self.assertTrue(sd.startswith('SD-') and len(sd) == 3 + 24, sd)
        self.assertEqual((client, type_), ('acme', 'service_delay'))
        self.assertEqual(sorted(I.ids(self.ctx, type='service_delay')), sorted(['INC-1', sd]))

    def test_subject_lookup_that_raises(self):
        I = self.I
        I.sla_enable(self.ctx, self.sched, calendar=self.cal)
        I.breach_rule_add(self.ctx, I.SLA_POLICY)
        calls = []

        def lookup(subject):
            calls.append(subject)
            raise Boom('CRM unreachable')
        I.breach_set_lookup(self.ctx, lookup)
        self.report('INC-1')
        self.on_notice = lambda n: I.breach_open(self.ctx, n) and None
        tue = dt.datetime(2026, 1, 6, 10, 0, 1, tzinfo=U)
        with self.assertRaises(Boom) as cm:
            self.sched.advance(tue)
        self.assertEqual(cm.exception.__cause__.code, svcq.constant('SVCQ_EABORTED'))
        self.assertEqual(calls, ['INC-1'])
        self.assertEqual(list(I.ids(self.ctx)), ['INC-1'])                 # nothing opened
        # A lookup returning nonsense is refused in Python, not in C.
        I.breach_set_lookup(self.ctx, lambda subject: (42, None))
        with self.assertRaises(TypeError):
            self.sched.advance(tue)
        self.assertEqual(list(I.ids(self.ctx)), ['INC-1'])
        # Fixed: the same notice comes again and opens the incident.
        I.breach_set_lookup(self.ctx, None)
        self.assertEqual(self.sched.advance(tue), 1)
        self.assertEqual(len(list(I.ids(self.ctx))), 2)

    def test_measure_deadline_clock_and_reminder(self):
        I = self.I
        self.assertIsNone(I.measure_policy(self.ctx))
        I.sla_enable(self.ctx, self.sched, calendar=self.cal)
        mp = I.measure_policy(self.ctx)
        self.assertEqual(mp.name, I.MEASURE_POLICY)
        t = mp.targets[0]
        self.assertEqual((t.metric, t.unit, t.duration), ('deadline', svcq.Unit.EVENT_DUE, None))
        with I.measure_policy_new(self.ctx, calendar=self.cal) as q:
            self.assertEqual(q.fingerprint, mp.fingerprint)
        # Monday 09:00 to Wednesday 18:00 (27 business hours): 50 % Tuesday 13:30,
        # the breach one second after the due.
        c = svcq.Clock(mp, 'INC-7/m1')
        mon, wed = dt.datetime(2026, 1, 5, 9, tzinfo=U), dt.datetime(2026, 1, 7, 18, tzinfo=U)
        with self.assertRaises(svcq.InvalidArgumentError):
            c.event('measure_started', mon)                     # its due comes with it
        c.event_due('measure_started', mon, wed)
        self.assertEqual(c.event_dues(), [wed])
        st = c.status('deadline', mon)
        self.assertEqual((st.due_at, st.warn_at), (wed, dt.datetime(2026, 1, 6, 13, 30, tzinfo=U)))
        c.event_due('deadline_moved', dt.datetime(2026, 1, 6, 9, tzinfo=U), dt.datetime(2026, 1, 9, 12, tzinfo=U))
        self.assertEqual(c.status('deadline', mon).due_at, dt.datetime(2026, 1, 9, 12, tzinfo=U))
        c.close()
        # A notice of another policy, or of an unknown incident, maps to nothing.
        n = svcq.sla.Notice(kind=svcq.NoticeKind.BREACH, at=wed + S1, subject='INC-7/m1', policy=I.SLA_POLICY,
                            metric='deadline', target=0, level=0, cycle=0, clock=None)
        with self.assertRaises(svcq.NotFoundError):
            I.reminder_of(self.ctx, n)
        n.policy = I.MEASURE_POLICY
        with self.assertRaises(svcq.NotFoundError) as cm:
            I.reminder_of(self.ctx, n)
        self.assertIn('INC-7/m1', cm.exception.message)

    def test_matrix_and_flow_chart(self):
        I = self.I
        self.assertEqual(I.matrix_get(self.ctx, 'quality_staff', 'analysing'), I.Raci.RESPONSIBLE)
        I.matrix_check(self.ctx)
        I.matrix_set(self.ctx, 'quality_staff', 'analysing', 'none')
        self.assertEqual(I.matrix_get(self.ctx, 'quality_staff', 'analysing'), I.Raci.NONE)
        with self.assertRaises(svcq.StateError) as cm:
            I.matrix_check(self.ctx)
        self.assertIn('stage analyse has no responsible role', cm.exception.message)
        with self.assertRaises(svcq.StateError):
            I.matrix_export_markdown(self.ctx)
        I.matrix_set(self.ctx, 'root_cause_team', I.State.ANALYSING, I.Raci.RESPONSIBLE)
        md = I.matrix_export_markdown(self.ctx)
        self.assertIn('| root_cause_team |', md)
        with self.assertRaises(svcq.InvalidArgumentError):
            I.matrix_set(self.ctx, 'Bad Role', 'analysing', 'responsible')
        I.matrix_reset(self.ctx)
        self.assertNotIn('root_cause_team', I.matrix_export_markdown(self.ctx))
        chart = I.flow_mermaid(self.ctx)
        self.assertIn('flowchart', chart)
        inc = self.report('INC-9')
        marked = inc.flow_mermaid()
        self.assertIn('INC-9', marked)
        self.assertNotEqual(marked, chart)


class IncidentDocumentsTest(unittest.TestCase):
    """The documents a host prints for the meetings: every form in every
    format, typical cases and the review pack, the matrix and the flow chart,
    byte for byte against the C fixtures of tests/unit/incident_forms.c and
    incident_loop.c (tests/data/incident), from the same scenario
    (tests/unit/incident_fixture.h) replayed in Python."""

    T0 = dt.datetime(2026, 1, 1, 2, tzinfo=U)      # FX_T0
    DAY = dt.timedelta(days=1)

    def setUp(self):
        self.now = [self.T0]
        self.ctx = svcq.Context(clock=lambda: self.now[0])
        self.I = svcq.incident
        self.tz = svcq.Tz.fixed(self.ctx, dt.timedelta(hours=8))
        self.inc = [self.run_steps(1, 25), self.run_steps(2, 13), self.run_steps(3, 2)]  # closed, executing, reported

    def tearDown(self):
        self.ctx.close()

    def fixture(self, name):
        with open(os.path.join(OPTS['root'], 'tests', 'data', 'incident', name), 'rb') as f:
            return f.read()

    def run_steps(self, k, upto):
        """Steps [0, upto) of fx_step() on incident "INC-<k>" (its analysis "a-INC-<k>")."""
        id_ = 'INC-%d' % k
        a = svcq.Analysis(self.ctx, 'a-' + id_, 'Replies to tickets are late', '6m')
        c = a.add_cause('k1', 'Queue not watched at shift change')
        a.set_status(c, 'confirmed')
        a.add_evidence(c, 'system_log', 'log://queue/2026-01-01', 'gap 17:55-18:40', 'QA', self.T0)
        a.set_root_cause(c)
        root = 'a-%s:c1' % id_
        inc = None

        def measure(what):
            inc.add_measure('Wang Wei', 'team_lead', kind='process_change', what=what, root_cause=root,
                            owner='Wang Wei', deadline=self.now[0] + 7 * self.DAY, indicator='callback delay',
                            unit='h', baseline=3000, target=1000, direction='lower_is_better',
                            feasibility='Fits the current staffing', expected_effect='Callbacks within 1 h',
                            approved_by='Zhao Min')
        WW, ZM, SL = ('Wang Wei', 'team_lead'), ('Zhao Min', 'supervisor'), ('Sun Li', 'quality_staff')
        steps = [
            None,    # the report, below
            lambda: inc.add_attachment('Li Na', 'agent', 'photo', 'file://wall-board.jpg'),
            lambda: inc.add_confirmer(*ZM, 'Zhao Min', 'service_supervisor'),
            lambda: inc.add_confirmer(*ZM, 'Sun Li', 'quality_staff'),
            lambda: inc.confirm(*ZM, category='process_gap', responsible_unit='Support tier 1'),
            lambda: inc.transition(*SL, 'analysing'),
            lambda: inc.attach_analysis(*SL, a),
            lambda: inc.transition(*SL, 'planning'),
            lambda: measure('Handover checklist at shift change'),
            lambda: measure('Queue alarm after 45 min'),
            lambda: inc.transition(*ZM, 'executing', 'approved'),
            lambda: inc.progress(*WW, 'm1', 50, 'on track'),
            lambda: inc.progress(*WW, 'm2', 30, 'on track'),
            lambda: inc.deviation(*WW, 'm1', 'handover checklist not used on Sunday', 'weekend shift not briefed'),
            lambda: inc.adjust(*WW, 'm2', 'owner on leave', 'Zhao Min', new_owner='Chen Jie'),
            lambda: inc.measure_done(*WW, 'm1'),
            lambda: inc.measure_done('Chen Jie', 'team_lead', 'm2', 'alarm live'),
            lambda: inc.transition(*ZM, 'verifying'),
            lambda: self.now.__setitem__(0, self.now[0] + 31 * self.DAY),
            lambda: inc.record_indicator(*SL, 'm1', 800),
            lambda: inc.record_indicator(*SL, 'm2', 900),
            lambda: inc.verify(*SL, 4100, 4600, 'looks good'),
            lambda: inc.add_improvement(*ZM, 'operating_manual', 'doc://manual/support#handover', 'section 4.2'),
            lambda: inc.set_lessons(*ZM, 'Shift changes need a written handover'),
            lambda: inc.transition(*ZM, 'closed'),
        ]
        inc = svcq.Incident.report(
            self.ctx, id_, 'Li Na', 'agent', type='service_delay', stage='technical_support', channel='phone',
            observed='Customer waited 3 h for a callback promised within 1 h', impact='One enterprise client',
            location='Support centre, Shenzhen', reporter_name='Li Na', reporter_role='agent', client='client-42',
            containment='Supervisor called the customer back at once', touchpoint='callback')
        for step in steps[1:upto]:
            step()
        return inc

    def test_every_form_in_every_format_byte_for_byte(self):
        I = self.I
        self.assertEqual([f.label for f in I.Form],
                         ['anomaly_report', 'cause_analysis', 'corrective_action', 'effect_verification'])
        self.assertEqual([f.label for f in I.FormFormat], ['markdown', 'json', 'csv'])
        ext = {I.FormFormat.MARKDOWN: 'md', I.FormFormat.JSON: 'json', I.FormFormat.CSV: 'csv'}
        checked = 0
        for inc, which in zip(self.inc, ('complete', 'executing', 'reported')):
            for form in I.Form:
                for fmt in I.FormFormat:
                    if fmt == I.FormFormat.CSV and form != I.Form.CORRECTIVE_ACTION:
                        continue
                    name = 'form_%s_%s.%s' % (form.label, which, ext[fmt])
                    want = self.fixture(name)
                    text = inc.form_export(form, fmt, tz=self.tz)
                    self.assertEqual(text.encode('utf-8'), want, name)
                    chunks = []
                    self.assertIsNone(inc.form_export(form.label, fmt.label, self.tz, sink=chunks.append))
                    self.assertEqual(b''.join(chunks), want, name + ' into a sink')
                    if fmt == I.FormFormat.JSON:
                        doc = json.loads(text)
                        self.assertEqual((doc['schema'], doc['incident']),
                                         ('svcq.incident_form/%s/1' % form.label, inc.id))
                    checked += 1
        self.assertEqual(checked, 3 * (4 * 2 + 1))
        # Parsed with the standard library: the tracking form of the closed incident.
        closed = self.inc[0]
        rows = list(csv.reader(io.StringIO(closed.form_export('corrective_action', 'csv', self.tz), newline='')))
        self.assertEqual(rows[0][:3], ['record', 'incident', 'measure'])
        self.assertEqual([r[0] for r in rows[1:]], ['measure'] * 2 + ['ledger'] * 4)
        head = rows[0]
        m2 = dict(zip(head, rows[2]))
        self.assertEqual((m2['measure'], m2['owner'], m2['state'], m2['deadline']),
                         ('m2', 'Chen Jie', 'done', '2026-01-08T10:00:00+08:00'))
        doc = json.loads(closed.form_export('corrective_action', 'json', self.tz))
        self.assertEqual([(m['id'], m['state'], m['baseline'], m['target']) for m in doc['measures']],
                         [('m1', 'done', 3.0, 1.0), ('m2', 'done', 3.0, 1.0)])
        # Markdown is the default format; no zone is UTC.
        self.assertIn('| When it was reported | 2026-01-01 02:00+00:00 |', closed.form_export('anomaly_report'))
        reported = json.loads(self.inc[2].form_export(I.Form.CAUSE_ANALYSIS, 'json'))
        self.assertIsNone(reported['confirmation']['judged_by'])
        self.assertEqual(reported['analyses'], [])

    def test_form_refusals_carry_the_c_message(self):
        inc = self.inc[0]
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            inc.form_export(9)
        self.assertEqual(cm.exception.message, 'incident INC-1: unknown form 9')
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            inc.form_export('effect_verification', 'csv')
        self.assertIn('the effect_verification form has no CSV', cm.exception.message)
        with self.assertRaises(ValueError):
            inc.form_export('minutes')                     # not a form: refused before C
        with self.assertRaises(Boom) as cm:
            inc.form_export('anomaly_report', sink=lambda b: (_ for _ in ()).throw(Boom('printer jammed')))
        self.assertEqual(cm.exception.__cause__.code, svcq.constant('SVCQ_EIO'))
        # An attached analysis gone from the store.
        svcq.Analysis.load(self.ctx, 'a-INC-2').delete()
        with self.assertRaises(svcq.NotFoundError) as cm:
            self.inc[1].form_export('cause_analysis')
        self.assertIn('incident INC-2: cause-analysis form: analysis a-INC-2', cm.exception.message)

    def test_typical_cases_and_review_pack_byte_for_byte(self):
        I, T0, DAY = self.I, self.T0, self.DAY
        self.assertIn('\n0 typical cases.\n', I.review_pack(self.ctx, T0, T0 + 60 * DAY, self.tz))
        closed, executing, reported = self.inc
        self.assertIsNone(closed.typical_note)
        before, rev = closed.audit_count, closed.revision
        closed.mark_typical('Zhao Min', 'supervisor', 'Shift handover gaps | seen in three sites')
        self.assertEqual(closed.typical_note, 'Shift handover gaps | seen in three sites')
        self.assertEqual(closed.audit_count, before + 1)
        self.assertGreater(closed.revision, rev)
        self.assertEqual(I.audit_verify(self.ctx, 'INC-1'), closed.audit_count)
        executing.mark_typical('Sun Li', 'quality_staff', 'Second site, same cause')
        with svcq.Incident.load(self.ctx, 'INC-1') as again:
            self.assertEqual(again.typical_note, 'Shift handover gaps | seen in three sites')
        pack = I.review_pack(self.ctx, T0, T0 + 60 * DAY, self.tz)
        self.assertEqual(pack.encode('utf-8'), self.fixture('review_pack.md'))
        chunks = []
        self.assertIsNone(I.review_pack(self.ctx, T0 + DAY, T0 + 60 * DAY, tz=self.tz, sink=chunks.append))
        self.assertEqual(b''.join(chunks), self.fixture('review_pack_late.md'))
        # Refusals: the C message, nothing changed.
        rev = reported.revision
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            reported.mark_typical('Sun Li', 'quality_staff', '  ')
        self.assertIn('typical-case note', cm.exception.message)
        with self.assertRaises(svcq.LimitError):
            reported.mark_typical('Sun Li', 'quality_staff', 'x' * (svcq.constant('SVCQ_INCIDENT_MAX_TEXT') + 1))
        self.assertEqual((reported.revision, reported.typical_note), (rev, None))
        reported.mark_typical('Sun Li', 'quality_staff', 'first')
        with self.assertRaises(svcq.ExistsError) as cm:
            reported.mark_typical('Zhao Min', 'supervisor', 'again')
        self.assertEqual(cm.exception.message, 'incident INC-3: already marked as a typical case by Sun Li')
        self.assertEqual(reported.typical_note, 'first')
        reported.unmark_typical('Zhao Min', 'supervisor', 'a one-off after all')
        self.assertIsNone(reported.typical_note)
        with self.assertRaises(svcq.StateError) as cm:
            reported.unmark_typical('Zhao Min', 'supervisor', 'again')
        self.assertEqual(cm.exception.message, 'incident INC-3: is not marked as a typical case')
        reported.mark_typical('Sun Li', 'quality_staff', 'first')
        self.assertEqual(reported.typical_note, 'first')
        with self.assertRaises(svcq.InvalidArgumentError) as cm:
            I.review_pack(self.ctx, T0, T0)
        self.assertIn('review pack: the period ends', cm.exception.message)
        with self.assertRaises(TypeError):
            I.review_pack(self.ctx, T0.replace(tzinfo=None), T0 + DAY)      # a naive datetime names no instant

    def test_matrix_and_flow_chart_byte_for_byte(self):
        I = self.I
        self.assertEqual(I.flow_mermaid(self.ctx).encode(), self.fixture('flow.mmd'))
        self.assertEqual(self.inc[0].flow_mermaid().encode(), self.fixture('flow_closed.mmd'))
        self.assertEqual(I.matrix_export_markdown(self.ctx).encode(), self.fixture('matrix_default.md'))
        # The custom matrix of incident_loop.c: planning by team_lead, measure_owner consulted.
        I.matrix_set(self.ctx, 'responsible_unit', 'planning', 'consulted')
        I.matrix_set(self.ctx, 'team_lead', 'planning', 'responsible')
        I.matrix_set(self.ctx, 'measure_owner', 'planning', 'consulted')
        I.matrix_set(self.ctx, 'quality_manager', 'verifying', 'none')
        with self.assertRaises(svcq.StateError) as cm:
            I.matrix_export_markdown(self.ctx)
        self.assertEqual(cm.exception.message, 'responsibility matrix: stage verify has no role that approves it')
        I.matrix_set(self.ctx, 'quality_manager', 'verifying', 'approves')
        chunks = []
        self.assertIsNone(I.matrix_export_markdown(self.ctx, sink=chunks.append))
        self.assertEqual(b''.join(chunks), self.fixture('matrix_custom.md'))


class DocExampleTest(unittest.TestCase):
    def test_incident_and_metrics_example_of_docs_python_md(self):
        """The incidents-and-metrics example of docs/python.md runs as written."""
        import contextlib
        import io
        with open(os.path.join(OPTS['root'], 'docs', 'python.md'), encoding='utf-8') as f:
            text = f.read()
        block = text.split('<!-- tested: DocExampleTest -->', 1)[1].split('```python\n', 1)[1].split('```', 1)[0]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, 'docs/python.md', 'exec'), {'__name__': 'docs_example'})
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], 'incident INC-7: cannot leave analysing: no analysis attached')
        self.assertEqual(lines[1], 'effective')
        self.assertRegex(lines[2], r'^\d+ audit entries verified$')
        self.assertEqual(lines[3], "['INC-7']")
        self.assertEqual(lines[4], '1800.0 s = 3600 / 2 met')
        self.assertIn('billing', out.getvalue())

# ------------------------------------------------------------- callbacks

class _RaisingStore:
    """The memory of a dict, with a put that raises a Python error when told."""

    def __init__(self):
        self.data, self.rev, self.fail = {}, 0, None

    def begin(self):
        self.tx = dict(self.data)

    def commit(self):
        self.data = self.tx

    def rollback(self):
        self.tx = None

    def get(self, kind, id):
        return (self.tx if getattr(self, 'tx', None) is not None else self.data).get((kind, id))

    def put(self, kind, id, expected, data):
        if self.fail:
            raise self.fail
        cur = self.tx.get((kind, id))
        if (cur[0] if cur else 0) != expected:
            raise svcq.ConflictError('stale')
        self.rev += 1
        self.tx[(kind, id)] = (self.rev, data)
        return self.rev

    def remove(self, kind, id, expected):
        if (kind, id) not in self.tx:
            raise svcq.NotFoundError()
        del self.tx[(kind, id)]

    def scan(self, kind):
        return [(i, r, d) for (k, i), (r, d) in (self.tx or self.data).items() if k == kind]


class CallbackTest(unittest.TestCase):
    def test_store_callback_raises(self):
        with svcq.Context() as ctx:
            store = RaisingStore()
            ctx.set_store(store)
            pol = svcq.Policy.builtin(ctx, svcq.TierLevel.TIER_1)
            store.fail = Boom('disk on fire')
            with self.assertRaises(Boom) as cm:
                pol.save()
            self.assertIsInstance(cm.exception.__cause__, svcq.SvcqError)
            self.assertEqual(cm.exception.__cause__.code, svcq.constant('SVCQ_EIO'))
            # The exception's text reaches the library's message (svcq_store_set_error).
            self.assertIn('store put(sla_policy, tier.1', cm.exception.__cause__.message)
            self.assertTrue(cm.exception.__cause__.message.endswith('): Boom: disk on fire'),
                            cm.exception.__cause__.message)
            self.assertEqual(pol.revision, 0, 'the failed save changed nothing')
            store.fail = None
            pol.save()                            # the context still works
            self.assertEqual(svcq.Policy.load(ctx, 'tier.1', 1).fingerprint, pol.fingerprint)
            store.fail = svcq.BusyError('locked')  # a code, not a crash: raised as the library reports it
            with self.assertRaises(svcq.BusyError) as cm:
                svcq.Policy.builtin(ctx, svcq.TierLevel.TIER_2).save()
            self.assertTrue(cm.exception.message.endswith('): locked'), cm.exception.message)

    def test_writer_raises(self):
        with svcq.Context() as ctx:
            pol = svcq.Policy.builtin(ctx, svcq.TierLevel.TIER_1)
            chunks = []

            def sink(b):
                chunks.append(b)
                raise Boom('sink full')
            with self.assertRaises(Boom) as cm:
                pol.export_json(sink=sink)
            self.assertEqual(cm.exception.__cause__.code, svcq.constant('SVCQ_EIO'))
            self.assertEqual(len(chunks), 1)
            out = []
            self.assertIsNone(pol.export_json(sink=out.append))
            self.assertEqual(b''.join(out).decode(), pol.export_json())

    def test_clock_and_logger_raise(self):
        def clock():
            raise Boom('no time')
        with svcq.Context(clock=clock) as ctx:
            with self.assertRaises(Boom):
                ctx.now()
            self.assertIsNotNone(svcq.Calendar.always_open(ctx))   # later calls are clean

        def logger(level, msg):
            raise Boom('log')
        with svcq.Context(logger=logger) as ctx:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, 'j')
                svcq.FileStore(ctx, path).close()
                with open(path, 'ab') as f:
                    f.write(b'x')
                with self.assertRaises(Boom):
                    svcq.FileStore(ctx, path)

    def test_notice_callback_raises(self):
        with svcq.Context() as ctx:
            pol = svcq.Policy.builtin(ctx, svcq.TierLevel.SPECIAL)
            seen = []

            def on_notice(n):
                seen.append(n)
                if len(seen) == 2 and not raised:
                    raised.append(n)
                    raise Boom('pager down')
            raised = []
            sched = svcq.Scheduler(ctx, on_notice)
            c = svcq.Clock(pol, 'T')
            sched.add(c)
            c.event('request_received', sh(2026, 1, 1))
            with self.assertRaises(Boom) as cm:
                sched.advance(sh(2026, 1, 2))
            self.assertEqual(cm.exception.__cause__.code, svcq.constant('SVCQ_EABORTED'))
            # The notice that raised counts as not delivered: it comes again.
            self.assertEqual(len(seen), 2)
            self.assertGreater(sched.advance(sh(2026, 1, 2)), 0)
            self.assertEqual(seen[2], raised[0])


    def test_import_reject_callback_raises(self):
        with svcq.Context() as ctx:
            m = svcq.Metrics(ctx)
            seen = []

            def on_reject(line, column, err):
                seen.append(line)
                raise Boom('reject log full')
            text = ('{"id": "A1", "received": 0}\n{"id": "A2", "received": 0, "csat": 9}\n'
                    '{"id": "A3", "received": 0}\n')
            with self.assertRaises(Boom) as cm:
                m.import_facts(text, on_reject=on_reject)
            self.assertIsInstance(cm.exception.__cause__, svcq.AbortedError)
            self.assertEqual(seen, [2], 'the import stopped at the callback')
            self.assertEqual(len(m), 1, 'the line put before it stays (per line, as documented)')
            self.assertEqual(m.import_facts(text, on_reject=lambda *a: None), (2, 1))   # still usable

    def test_archive_visitor_raises(self):
        now = [dt.datetime(2026, 1, 5, tzinfo=U)]
        with svcq.Context(clock=lambda: now[0]) as ctx:
            for i in range(3):
                svcq.Incident.report(ctx, 'INC-%d' % i, 'Li Na', 'agent', type='service_delay',
                                     stage='reception', channel='phone', observed='late', reporter_name='Li Na')
            seen = []

            def visit(id_):
                seen.append(id_)
                if len(seen) == 2:
                    raise Boom('visitor')
            with self.assertRaises(Boom) as cm:
                svcq.incident.walk(ctx, visit)
            self.assertIsInstance(cm.exception.__cause__, svcq.AbortedError)
            self.assertEqual(seen, ['INC-0', 'INC-1'])
            with svcq.Incident.load(ctx, 'INC-0') as inc:
                with self.assertRaises(Boom):
                    inc.similar(lambda id_: (_ for _ in ()).throw(Boom('similar')))
            self.assertEqual(list(svcq.incident.ids(ctx)), ['INC-0', 'INC-1', 'INC-2'], 'the context still works')
            self.assertIsNone(svcq.incident.overdue(ctx, now[0], lambda *a: 1 / 0))   # nothing overdue: not called

    def test_v2_store_callback_raises(self):
        """A scan_term that raises: the scheduler's load (which reads the live clocks
        by their next_notice term) fails with the original exception, loads nothing,
        and the store answers again afterwards."""
        from svcq.sqlite_store import SqliteStore

        class Flaky(SqliteStore):
            fail = None
            term_scans = 0

            def scan_term(self, *a):
                self.term_scans += 1
                if self.fail:
                    raise self.fail
                return super().scan_term(*a)

        with svcq.Context() as ctx:
            store = Flaky()
            ctx.set_store(store)
            pol = svcq.Policy.builtin(ctx, svcq.TierLevel.TIER_1)
            pol.save()
            sched = svcq.Scheduler(ctx, lambda n: None)
            clock = svcq.Clock(pol, 'T-1')
            sched.add(clock)
            clock.event('request_received', sh(2026, 1, 9, 9))
            sched.save()
            terms = store.db.execute("SELECT name FROM svcq_term WHERE kind = 'sla_clock' ORDER BY name").fetchall()
            self.assertIn(('next_notice',), terms, 'put2 stored the clock\'s index terms')
            store.fail = Boom('index lost')
            again = svcq.Scheduler(ctx, lambda n: None)
            with self.assertRaises(Boom) as cm:
                again.load([pol])
            self.assertEqual(cm.exception.__cause__.code, svcq.constant('SVCQ_EIO'))
            self.assertEqual(len(again), 0, 'a failed load adds nothing')
            store.fail = None
            again.load([pol])
            self.assertEqual(len(again), 1)
            self.assertEqual(store.term_scans, 2)

    def test_v2_methods_go_together(self):
        class Half(RaisingStore):
            def put2(self, kind, id, expected, data, terms):
                return 1
        with svcq.Context() as ctx:
            with self.assertRaisesRegex(TypeError, 'put2 and scan_term'):
                ctx.set_store(Half())

# ------------------------------------------------------------ stores

class ConformanceTest(unittest.TestCase):
    def test_sqlite_store_conformance(self):
        from svcq.sqlite_store import SqliteStore
        lib = ctypes.CDLL(os.path.abspath(OPTS['conformance']))
        FACTORY = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(svcq.store.StoreMethods), ctypes.c_int32,
                                   ctypes.c_void_p)
        lib.svcq_test_store_conformance.restype = ctypes.c_int
        lib.svcq_test_store_conformance.argtypes = [ctypes.c_char_p, FACTORY, ctypes.c_int32, ctypes.c_uint64,
                                                    ctypes.c_void_p]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'store.db')
            keep, pending = [], svcq._lib.Pending()

            calls = {'put': 0, 'put2': 0, 'scan_range': 0, 'scan_term': 0}

            class Counting(SqliteStore):
                # Counts the calls of each kind, so the test knows the suite
                # drove the version-2 callbacks and not the library's fallback.
                def put(self, *a):
                    calls['put'] += 1
                    return super().put(*a)

                def put2(self, *a):
                    calls['put2'] += 1
                    return super().put2(*a)

                def scan_range(self, *a):
                    calls['scan_range'] += 1
                    return super().scan_range(*a)

                def scan_term(self, *a):
                    calls['scan_term'] += 1
                    return super().scan_term(*a)

            def factory(methods, reopen, data):
                if not reopen and os.path.exists(path):
                    os.unlink(path)
                store = Counting(path)
                m, k = store.methods(pending)
                keep.append(k)
                ctypes.memmove(methods, ctypes.byref(m), ctypes.sizeof(m))
                return 0
            fn = FACTORY(factory)
            failures = lib.svcq_test_store_conformance(b'sqlite3 (svcq.sqlite_store)', fn, 1, 1 << 20, None)
            self.assertIsNone(pending.exc, 'a callback raised: %r' % pending.exc)
            self.assertEqual(failures, 0, 'store conformance failures (see stderr)')
            self.assertEqual(svcq.store.StoreMethods.VERSION, 2)
            for name in ('put2', 'scan_range', 'scan_term'):
                self.assertGreater(calls[name], 0, 'the suite never called %s: v2 not run' % name)
            self.assertEqual(calls['put'], 0, 'with put2 the library never calls put')

    def test_file_store(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'j.svcq')
            with svcq.Context() as ctx:
                fs = svcq.FileStore(ctx, path, durability=svcq.Durability.NONE)
                ctx.set_store(fs)
                svcq.Policy.builtin(ctx, 1).save()
                self.assertEqual(fs.stats()['records'], 1)
                fs.compact()
                with self.assertRaises(svcq.StateError):
                    fs.close()
            with self.assertRaises(ValueError):
                fs.stats()
            with svcq.Context() as ctx:
                fs = svcq.FileStore(ctx, path, read_only=True)
                ctx.set_store(fs)
                svcq.Policy.load(ctx, 'tier.1', 1)
                with self.assertRaises(svcq.StateError):
                    svcq.Policy.builtin(ctx, 2).save()


# ------------------------------------------------------------ lifecycle

def lifecycle(ctx, first_run):
    """Calendar -> policy -> clock -> notices -> classification -> analysis ->
    scorecard -> incident -> metrics; the second run reopens and checks what
    the first stored."""
    tz = svcq.Tz.fixed(ctx, dt.timedelta(hours=8))
    out = {}
    if first_run:
        cal = svcq.Calendar(ctx, tz)
        cal.set_weekdays(range(1, 6), [(dt.time(9), dt.time(18))])
        cal.set_closed(dt.date(2026, 1, 1))
        cal.set_date_like(dt.date(2026, 1, 4), svcq.Weekday.MONDAY)
        cal.save('support-cn')
    else:
        cal = svcq.Calendar.load(ctx, 'support-cn', zone=tz)
    scheme = svcq.TierScheme.builtin(ctx)
    client = svcq.Client(ctx, 'acme', 'ACME') if first_run else svcq.Client.load(ctx, 'acme')
    if first_run:
        result = client.reclassify(scheme, {'annual_purchase_share': 12, 'purchase_frequency': 8,
                                            'profit_share': 9, 'industry_standing': 5, 'reputation': 4,
                                            'prospect_effect': 4, 'service_complexity': 2},
                                   sh(2026, 1, 1), 'batch')
        out['explanation'] = result.explain()
        client.save()
    tier, rank = client.tier_at(sh(2026, 1, 9))
    out['tier'] = tier
    level = svcq.TierLevel(min(rank, 3))
    if first_run:
        pol = svcq.Policy.builtin(ctx, level, cal)
        pol.save()
    else:
        pol = svcq.Policy.load(ctx, 'tier.%s' % ('special' if rank == 0 else rank), 1)
    notices = []
    sched = svcq.Scheduler(ctx, notices.append)
    if first_run:
        clock = svcq.Clock(pol, 'TICKET-7')
        sched.add(clock)
        clock.event('request_received', sh(2026, 1, 9, 16, 30))
        sched.advance(sh(2026, 1, 12, 12))
        sched.save()
    else:
        sched.load([pol])
        sched.advance(sh(2026, 1, 12, 12))
    out['notices'] = [(n.kind.label, n.metric, n.level) for n in notices]
    clock = sched.find('TICKET-7', pol.name)
    out['first_response'] = clock.status('first_response', sh(2026, 1, 12, 12)).state
    if first_run:
        a = svcq.Analysis(ctx, 'rca-TICKET-7', 'First response breached', 'custom')
        k = a.add_category('Method')
        c = a.add_cause(k, 'No evening coverage')
        w = a.add_why(c, 'Rota built on office hours only')
        a.set_status(w, 'confirmed')
        a.add_evidence(w, 'document', 'doc://rota-2026', 'the rota', 'qa', sh(2026, 1, 12))
        a.set_root_cause(w)
        a.incident = 'INC-TICKET-7'
        a.save()
    else:
        a = svcq.Analysis.load(ctx, 'rca-TICKET-7')
    out['root_causes'] = [a.node(n)['text'] for n in a.root_causes]
    out['svg'] = a.export_svg()
    S = svcq.scorecard
    if first_run:
        t = S.Template.builtin(ctx)
        t.save()
    else:
        t = S.Template.load(ctx, 'telecom-branch', 1)
    if first_run:
        p = S.Period(t, '2026-01', sh(2026, 1, 1), sh(2026, 2, 1))
        p.add_unit('branch-a')
        keys = [i['key'] for i in t.items]
        p.set_values('branch-a', dict(zip(keys, [32000, 9000, 8000, 96000, 1500, 3500, 9000, 3000, 1000])))
        for i in range(3):
            S.order_issue(ctx, 'gm-%d' % i, 'branch-a', 'Zhao', sh(2026, 1, 5 + i, 9))
        p.close_period(sh(2026, 2, 2))
    else:
        p = S.Period.load(t, '2026-01')
    out['card'] = p.card('branch-a')
    r = S.Ranking(t, '2026-01', S.Basis.COMPOSITE)
    r.add_period(p)
    r.set_csat('branch-a', 4500)
    r.compute()
    out['ranking'] = r.entries()
    # The breach opens an incident; the second run reloads it and verifies its audit chain.
    if first_run:
        inc = svcq.Incident.report(ctx, 'INC-TICKET-7', 'Li Na', 'agent', type='service_delay',
                                   stage='technical_support', channel='phone', client='acme', ticket='TICKET-7',
                                   observed='first response breached', reporter_name='Li Na')
        inc.add_confirmer('Zhao', 'supervisor', 'Zhao', 'service_supervisor')
        inc.add_confirmer('Zhao', 'supervisor', 'Sun', 'quality_staff')
        inc.confirm('Zhao', 'supervisor', category='process_gap', responsible_unit='Support')
        inc.transition('Sun', 'quality_staff', 'analysing')
        inc.attach_analysis('Sun', 'quality_staff', a)
    else:
        inc = svcq.Incident.load(ctx, 'INC-TICKET-7')
    out['incident'] = (inc.state, inc.analyses, inc.audit_count, inc.audit_head)
    out['audit_verified'] = svcq.incident.audit_verify(ctx, 'INC-TICKET-7')
    m = svcq.Metrics(ctx, calendar=cal, persist=first_run)
    m.put(svcq.Fact('TICKET-7', sh(2026, 1, 9, 16, 30), client='acme', tier=tier, complaint=True,
                    category='callback', sla={'first_response': 'breached'}))
    out['sla_compliance'] = m.kpi('sla_compliance', 'month', sh(2026, 1, 9)).value
    return out


class LifecycleTest(unittest.TestCase):
    def test_lifecycle_on_sqlite_twice(self):
        from svcq.sqlite_store import SqliteStore
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, 'svcq.db')
            with svcq.Context() as ctx:
                ctx.set_store(SqliteStore(db))
                one = lifecycle(ctx, True)
            self.assertIn(one['tier'], one['explanation'])
            self.assertEqual(one['first_response'], svcq.State.BREACHED)
            self.assertIn(('breach', 'first_response', 0), one['notices'])
            self.assertEqual(one['root_causes'], ['Rota built on office hours only'])
            self.assertTrue(one['card']['vetoed'], 'three unanswered orders veto the head')
            self.assertEqual(one['ranking'][0]['unit'], 'branch-a')
            with svcq.Context() as ctx:
                ctx.set_store(SqliteStore(db))
                two = lifecycle(ctx, False)
            self.assertEqual(two['notices'], [], 'nothing delivered twice')
            self.assertEqual(one['incident'][:2], (svcq.incident.State.ANALYSING, ['rca-TICKET-7']))
            self.assertEqual(one['audit_verified'], one['incident'][2])
            self.assertEqual(one['sla_compliance'], 0)
            for key in ('tier', 'first_response', 'root_causes', 'svg', 'card', 'ranking', 'incident',
                        'audit_verified', 'sla_compliance'):
                self.assertEqual(two[key], one[key], key)


# ------------------------------------------------------------ packaging

class PipTest(unittest.TestCase):
    def test_pip_install_into_a_target(self):
        r = subprocess.run([sys.executable, '-m', 'pip', '--version'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.skipTest('pip is not installed (.ci/setup tests installs python3-pip)')
        r = subprocess.run([sys.executable, '-c', 'import setuptools, wheel'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.skipTest('setuptools or wheel missing for %s (Debian: python3-setuptools, python3-wheel)'
                          % sys.executable)
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, 'src')
            # A copy: pip builds in the folder, which must not touch the source tree.
            shutil.copytree(os.path.join(OPTS['root'], 'src', 'bindings', 'python'), src,
                            ignore=shutil.ignore_patterns('__pycache__', '*.egg-info', 'build'))
            target = os.path.join(tmp, 'site')
            r = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-build-isolation', '--no-index',
                                '--no-deps', '--disable-pip-version-check', '--quiet', '--target', target, src],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
            self.assertEqual(r.returncode, 0, r.stdout)
            env = dict(os.environ, PYTHONPATH=target, SVCQ_LIBRARY=os.path.abspath(OPTS['lib']),
                       PYTHONDONTWRITEBYTECODE='1')
            code = ('import svcq, datetime as d; print(svcq.__file__); '
                    'c = svcq.Context(); p = svcq.Policy.builtin(c, svcq.TierLevel.TIER_1); '
                    'print(p.name, svcq.version())')
            r = subprocess.run([sys.executable, '-c', code], cwd=tmp, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True)
            self.assertEqual(r.returncode, 0, r.stdout)
            lines = r.stdout.splitlines()
            self.assertTrue(lines[0].startswith(target), lines)
            self.assertEqual(lines[1], 'tier.1 ' + svcq.version())
            # Without a library to load, the import says what to do.
            env['SVCQ_LIBRARY'] = os.path.join(tmp, 'missing.so')
            r = subprocess.run([sys.executable, '-c', 'import svcq'], cwd=tmp, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn('svcq: cannot load', r.stdout)


def main():
    global svcq
    args = sys.argv[1:]
    while args:
        key = args.pop(0).lstrip('-')
        if key == 'sanitize':
            value = args.pop(0)
            if value not in ('', 'none'):
                print('SKIP: a sanitizer build (%s) cannot be loaded into python' % value)
                return SKIP
            continue
        if key not in OPTS or not args:
            raise SystemExit('usage: test_python.py --lib PATH --root DIR --conformance PATH [--cc CMD]')
        OPTS[key] = args.pop(0)
    sys.dont_write_bytecode = True
    os.environ['SVCQ_LIBRARY'] = os.path.abspath(OPTS['lib'])
    sys.path.insert(0, os.path.join(OPTS['root'], 'src', 'bindings', 'python'))
    import svcq as mod
    import svcq.sqlite_store  # noqa: F401
    svcq = mod
    g = globals()
    g['RaisingStore'] = type('RaisingStore', (svcq.Store,), dict(_RaisingStore.__dict__))
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
