#!/usr/bin/env python3
"""Tests of the svcq command-line tool: every subcommand, good and bad input.

Run by meson (suite "cli") as: test_cli.py <path to svcq>, from this folder.
The replay figures are counted by hand from data/events.csv on the tier 2
policy's 09:00-18:00 calendar (see the comments in test_replay_figures); the
messages are checked exactly, because users read them.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SVCQ = None
STORE_GEN = None
HERE = os.path.dirname(os.path.abspath(__file__))


def run(*args, stdin=None):
    p = subprocess.run([SVCQ, *args], cwd=HERE, capture_output=True, text=True, input=stdin)
    return p.returncode, p.stdout, p.stderr


class Top(unittest.TestCase):
    def test_help_and_version(self):
        rc, out, err = run('--help')
        self.assertEqual(rc, 0)
        self.assertIn('validate <kind> <file>', out)
        rc, out, _ = run('--version')
        self.assertEqual(rc, 0)
        self.assertRegex(out, r'^svcq \d+\.\d+\.\d+ \(libsvcq \d+\.\d+\.\d+\)\n$')
        for cmd in ('validate', 'replay', 'kpi', 'report', 'store'):
            rc, out, _ = run('help', cmd)
            self.assertEqual(rc, 0)
            self.assertTrue(out.startswith('usage: svcq ' + cmd), out)

    def test_usage_errors(self):
        rc, out, err = run()
        self.assertEqual((rc, out), (2, ''))
        self.assertTrue(err.startswith('usage: svcq'))
        self.assertEqual(run('frob'), (2, '', 'svcq: no command "frob" (see svcq --help)\n'))
        self.assertEqual(run('help', 'frob'), (2, '', 'svcq: no command "frob" (see svcq --help)\n'))


class Validate(unittest.TestCase):
    def test_each_kind(self):
        corpus = os.path.join(HERE, '..', 'fuzz', 'corpus')
        cases = [
            ('policy', 'data/tier2.json',
             'data/tier2.json: SLA policy tier.2 version 1, 6 targets: first_response, solution_draft, '
             'solution_presentation, solution_confirmation, progress_update, acceptance_invitation\n'),
            ('calendar', os.path.join(corpus, 'calendar_json', 'shanghai_posix.json'), None),
            ('template', os.path.join(corpus, 'scorecard', 'telecom.json'), None),
            ('analysis', os.path.join('..', 'data', 'analysis', 'branching.json'), None),
        ]
        for kind, path, want in cases:
            rc, out, err = run('validate', kind, path)
            self.assertEqual((rc, err), (0, ''), (kind, err))
            if want:
                self.assertEqual(out, want)
            else:
                self.assertTrue(out.startswith(path + ': '), out)
        rc, out, _ = run('validate', 'template', os.path.join(corpus, 'scorecard', 'telecom.json'))
        self.assertIn('94.000 points', out)  # the telecom card lists 94 points (domain.md)

    def test_stdin(self):
        with open(os.path.join(HERE, 'data', 'tier2.json')) as f:
            rc, out, _ = run('validate', 'policy', '-', stdin=f.read())
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith('-: SLA policy tier.2 version 1'))

    def test_errors(self):
        with tempfile.TemporaryDirectory() as d:
            bad_type = os.path.join(d, 'bad.json')
            with open(bad_type, 'w') as f:
                f.write('{\n  "schema": "svcq.sla_policy/1",\n  "name": 5\n}\n')
            self.assertEqual(run('validate', 'policy', bad_type), (
                1, '', bad_type + ': sla_policy document: top level: field "name": expected a string, '
                'found an integer\n'))
            syntax = os.path.join(d, 'syntax.json')
            with open(syntax, 'w') as f:
                f.write('{\n  "schema": "svcq.sla_policy/1",\n  "name" "x"\n}\n')
            rc, out, err = run('validate', 'policy', syntax)
            self.assertEqual((rc, out), (1, ''))
            self.assertTrue(err.startswith(syntax + ':3:10: '), err)
            missing = os.path.join(d, 'none.json')
            self.assertEqual(run('validate', 'policy', missing),
                             (1, '', missing + ': No such file or directory\n'))
        self.assertEqual(run('validate', 'calendar', 'data/tier2.json'), (
            1, '', 'data/tier2.json: field "schema": "svcq.sla_policy/1" is not "svcq.calendar/<version>"\n'))
        self.assertEqual(run('validate', 'foo', 'x'), (
            2, '', 'svcq: validate: no kind "foo": calendar, policy, scheme, profiles, template or analysis\n'))
        self.assertEqual(run('validate', '--frob', 'policy', 'x'), (
            2, '', 'svcq: validate: unknown option "--frob" (see svcq help validate)\n'))


class Replay(unittest.TestCase):
    POLICIES = ('--policy', 'data/tier2.json', '--policy', 'data/tier2_45min.json')

    def test_replay_figures(self):
        # first_response, 60 business minutes (tier 2) and 45 (the what-if):
        #   T-1 40 min, T-2 50 min, T-3 17:30 -> next day 09:20 = 50 business
        #   min, T-4 no reply (late at the end of the log), T-5 30 min.
        #   60: met T-1 T-2 T-3 T-5, breached T-4.  45: met T-1 T-5, breached T-2 T-3 T-4.
        # solution_draft, 4 business hours: only T-5 drafts (50 min); T-1..T-4
        #   are past 4 hours by Tue 15:00 -> 1 met, 4 breached.
        # T-5 closes right after drafting: its later targets stop, none counted.
        expect = {
            ('tier.2', 1): {'first_response': (4, 1, 0), 'solution_draft': (1, 4, 0)},
            ('tier.2', 2): {'first_response': (2, 3, 0), 'solution_draft': (1, 4, 0)},
        }
        for log in ('data/events.csv', 'data/events.jsonl'):
            rc, out, err = run('replay', *self.POLICIES, log, '--format', 'json')
            self.assertEqual((rc, err), (0, ''))
            doc = json.loads(out)
            self.assertEqual((doc['events'], doc['subjects']), (12, 5))
            self.assertEqual(doc['until'], '2026-03-03T15:00:00+08:00')
            for pol in doc['policies']:
                want = expect[(pol['policy'], pol['version'])]
                got = {t['metric']: (t['met'], t['breached'], t['open']) for t in pol['targets']}
                for metric, counts in want.items():
                    self.assertEqual(got[metric], counts, (log, pol['version'], metric))
                for metric in set(got) - set(want):
                    self.assertEqual(got[metric], (0, 0, 0), metric)
                self.assertEqual(pol['skipped'], {'note_added': 1})

    def test_until(self):
        # At Mon 12:00: T-1 and T-2 have replied; T-4 (11:00) is still within
        # its hour; every solution draft is still due; T-3 and T-5 have no
        # event yet and count nowhere.
        rc, out, err = run('replay', '--policy', 'data/tier2.json', 'data/events.csv', '--format', 'csv',
                           '--until', '2026-03-02 12:00')
        self.assertEqual((rc, err), (0, ''))
        rows = out.splitlines()
        self.assertEqual(rows[0], 'policy,version,target,met,breached,open')
        self.assertIn('tier.2,1,first_response,2,0,1', rows)
        self.assertIn('tier.2,1,solution_draft,0,0,3', rows)

    def test_markdown_exact(self):
        rc, out, err = run('replay', *self.POLICIES, 'data/events.csv')
        self.assertEqual((rc, err), (0, ''))
        with open(os.path.join(HERE, 'expected', 'replay.md')) as f:
            self.assertEqual(out, f.read())

    def test_output_file_whole_or_untouched(self):
        with tempfile.TemporaryDirectory() as d:
            target = os.path.join(d, 'out.md')
            rc, out, err = run('replay', *self.POLICIES, 'data/events.csv', '-o', target)
            self.assertEqual((rc, out, err), (0, '', ''))
            with open(target) as f:
                first = f.read()
            self.assertTrue(first.startswith('# What-if replay'))
            bad = os.path.join(d, 'bad.csv')
            with open(bad, 'w') as f:
                f.write('subject,event,at\nT-1,request_received,2026-03-02 09:00\nT-1,first_contact,soon\n')
            rc, out, err = run('replay', *self.POLICIES, bad, '-o', target)
            self.assertEqual(rc, 1)
            with open(target) as f:
                self.assertEqual(f.read(), first)
            self.assertEqual(sorted(os.listdir(d)), ['bad.csv', 'out.md'])

    def test_bad_input(self):
        cases = [
            ('subject,event\nT-1,x\n',
             'X:1: the header has no column "at" (it needs subject, event, at)\n'),
            ('subject,event,at\nT-1,request_received,2026-02-30 09:00\n',
             'X:2:22: bad time "2026-02-30 09:00": no such date or time of day\n'),
            ('subject,event,at\nT-1,request_received,2026-03-02 9:00\n',
             'X:2:22: bad time "2026-03-02 9:00": expected YYYY-MM-DD HH:MM[:SS] with an optional offset\n'),
            ('subject,event,at\nT-1,request_received,2026-03-02 09:00+8\n',
             'X:2:22: bad time "2026-03-02 09:00+8": the offset must be +hh:mm or -hh:mm\n'),
            ('subject,event,at\n"T-1,request_received,2026-03-02 09:00\n',
             'X:2:1: unterminated quoted field\n'),
            ('subject,event,at\n,request_received,2026-03-02 09:00\n', 'X:2: missing "subject"\n'),
            ('{"subject":"T-1","event":"request_received","at":"2026-03-02 09:00"\n',
             'X:1:68: expected \',\' or \'}\'\n'),
            ('{"subject":"T-1","event":"request_received"}\n', 'X:1: missing "at"\n'),
            ('{"subject":"T-1","event":7,"at":"2026-03-02 09:00"}\n', 'X:1:26: expected a string value\n'),
            ('{"subject":"T-1","subject":"T-2"}\n', 'X:1:28: duplicate key\n'),
            ('{"subject":"T-1","event":"request_received","at":"2026-03-02 09:00"} x\n',
             'X:1:70: text after the object\n'),
            ('{"subject":"T\\\x00x"}\n', 'X:1:14: bad escape\n'),  # a NUL after a backslash (found by the fuzzer)
            ('{"subject":"T\\q"}\n', 'X:1:14: bad escape\n'),
            ('\n\n', 'X: no events\n'),
        ]
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, 'log')
            for text, want in cases:
                with open(log, 'w') as f:
                    f.write(text)
                rc, out, err = run('replay', '--policy', 'data/tier2.json', log)
                self.assertEqual((rc, out, err), (1, '', want.replace('X', log, 1)), text)

    def test_bad_command_line(self):
        self.assertEqual(run('replay', '--policy', 'data/tier2.json', 'data/events.csv', '--format', 'xml'),
                         (2, '', 'svcq: replay: no format "xml": md, json or csv\n'))
        self.assertEqual(run('replay', '--policy', 'data/tier2.json', 'data/events.csv', '--until', 'later'), (
            2, '', 'svcq: --until: bad time "later": expected YYYY-MM-DD HH:MM[:SS] with an optional offset\n'))
        rc, out, err = run('replay', 'data/events.csv')
        self.assertEqual((rc, out), (2, ''))
        self.assertTrue(err.startswith('usage: svcq replay'))
        self.assertEqual(run('replay', '--policy'), (2, '', 'svcq: replay: option --policy needs a value\n'))

    def test_local_times_need_a_zone(self):
        # A policy without calendars runs in UTC; local times then need --tz.
        with tempfile.TemporaryDirectory() as d:
            pol = os.path.join(d, 'p.json')
            with open(pol, 'w') as f:
                json.dump({'schema': 'svcq.sla_policy/1', 'name': 'hotline', 'version': 1,
                           'targets': [{'metric': 'answer', 'start_event': 'request_received',
                                        'meet_event': 'first_contact', 'duration': 900}]}, f)
            rc, out, err = run('replay', '--policy', pol, 'data/events.csv', '--format', 'json')
            self.assertEqual(rc, 1)
            self.assertEqual(err, 'data/events.csv:2:22: time "2026-03-02 09:00" has no UTC offset and no '
                                  '--tz was given\n')
            rc, out, err = run('replay', '--policy', pol, 'data/events.csv', '--format', 'json',
                               '--tz', 'Asia/Shanghai')
            self.assertEqual((rc, err), (0, ''))
            answer = json.loads(out)['policies'][0]['targets'][0]
            # 15 minutes around the clock: T-1 replies after 40 min, T-2 50,
            # T-3 15 h 50, T-5 30, T-4 never: all five late.
            self.assertEqual((answer['met'], answer['breached'], answer['open']), (0, 5, 0))


class Metrics(unittest.TestCase):
    """svcq kpi and svcq report on data/tickets.csv, week 2026-W10 on a
    Mon-Fri 09:00-18:00 calendar in UTC+8, counted by hand:

    t1 reply after 20 min, t2 40, t3 Tue 17:50 -> Wed 09:10 (920 calendar
    minutes, 10 + 10 = 20 business), t4 10; t1-t3 resolved, t4 not; CSAT
    5, 3, 4 and one unrated; agent replies 1, 2, 1; complaints billing
    (t1, t3) and network (t2) from clients c1, c2 (t4 is c3's, no
    complaint). The week before: two network complaints."""
    ARGS = ('--calendar', 'data/calendar.json', 'data/tickets.csv')

    def test_kpis_by_hand(self):
        rc, out, err = run('kpi', '--at', '2026-03-04 12:00', '--format', 'json', *self.ARGS)
        self.assertEqual((rc, err), (0, ''))
        doc = json.loads(out)
        kpis = {k['kpi']: k for k in doc['kpis']}
        minutes = [20, 40, 920, 10]
        business = [20, 40, 20, 10]
        want = {
            'csat_satisfied': (2, 3, 1),       # 5 and 4 of three ratings
            'csat_mean': (12, 3, 1),
            'fcr': (2, 3, 0),                  # t1 and t3 had one agent reply
            'response_mean': (sum(minutes) * 60, 4, 0),
            'response_biz_mean': (sum(business) * 60, 4, 0),
            'resolution_rate': (3, 4, 0),
            'complaint_rate': (3, 3, 0),       # three complaints, three clients served
        }
        for name, (num, den, excluded) in want.items():
            k = kpis[name]
            self.assertEqual((k['numerator'], k['denominator'], k['excluded']), (num, den, excluded), name)
        # Nearest-rank median and 90th percentile of the sorted samples.
        self.assertEqual(kpis['response_median']['numerator'], sorted(minutes)[1] * 60)
        self.assertEqual(kpis['response_p90']['numerator'], sorted(minutes)[3] * 60)
        self.assertEqual(kpis['response_biz_median']['numerator'], sorted(business)[1] * 60)
        self.assertEqual((kpis['fcr']['state'], kpis['response_mean']['state']), ('missed', 'missed'))
        self.assertEqual(doc['period']['label'], '2026-W10')
        self.assertEqual(doc['fcr_definition'], 'one_agent_reply')

    def test_dimension_and_definition(self):
        rc, out, err = run('kpi', '--at', '2026-03-04 12:00', '--by', 'tier', '--value', 'tier.1',
                           '--fcr', 'one_contact', '--format', 'csv', *self.ARGS)
        self.assertEqual((rc, err), (0, ''))
        rows = out.splitlines()
        self.assertTrue(rows[0].startswith('set,period,label,'))
        fcr = [r for r in rows if ',fcr,' in r][0]
        self.assertIn(',tier,tier.1,cohort,one_contact,fcr,', fcr)

    def test_weekly_report(self):
        rc, out, err = run('report', '--week', '2026-03-04 12:00', '--trend-weeks', '2', *self.ARGS)
        self.assertEqual((rc, err), (0, ''))
        self.assertIn('| 1 | billing | 2 | 66.667 % | 0 | +2 | new |', out)
        self.assertIn('| 2 | network | 1 | 33.333 % | 2 | -1 | -50.000 |', out)
        self.assertIn('| 2026-W09 | 100.000 | 2 | 2 |', out)
        import xml.etree.ElementTree as ET
        for fmt in ('svg-top', 'svg-trend'):
            rc, out, err = run('report', '--week', '2026-03-04 12:00', '--format', fmt, *self.ARGS)
            self.assertEqual((rc, err), (0, ''))
            self.assertEqual(ET.fromstring(out).tag, '{http://www.w3.org/2000/svg}svg')

    def test_bad_tickets(self):
        cases = [
            ('id,first_reply\nx,2026-03-02T09:00:00Z\n',
             'X: metrics default: CSV header needs the fields "id" and "received"\n'),
            ('id,received,kategory\nx,2026-03-02T09:00:00Z,a\n',
             'X:1:13: metrics default: CSV header, unknown field "kategory"\n'),
            ('id,received,csat\nx,2026-03-02 09:00,4\ny,2026-03-02T09:00:00Z,9\n',
             'X:2:3: field "received": expected seconds or a time like 2026-01-05T09:00:00Z or +08:00\n'
             'X:3:1: fact "y": csat 9 is not 1 to 5 (or 0 for unrated)\n'
             'X: 2 of 2 tickets refused; nothing written\n'),
            ('', 'X: no tickets\n'),
        ]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'tickets.csv')
            target = os.path.join(d, 'out.md')
            for text, want in cases:
                with open(path, 'w') as f:
                    f.write(text)
                rc, out, err = run('report', '--week', '2026-03-04 12:00', '-o', target, path)
                self.assertEqual((rc, out, err), (1, '', want.replace('X', path)), text)
                self.assertFalse(os.path.exists(target))

    def test_bad_command_line(self):
        self.assertEqual(run('kpi', 'data/tickets.csv'),
                         (2, '', 'svcq: kpi: --at is required (any instant of the period)\n'))
        self.assertEqual(run('kpi', '--at', '2026-03-04 12:00', '--period', 'fortnight', 'data/tickets.csv'), (
            2, '', 'svcq: kpi: no period "fortnight": day, week, month, quarter, half or year\n'))
        self.assertEqual(run('kpi', '--at', '2026-03-04 12:00', '--by', 'tier', 'data/tickets.csv'),
                         (2, '', 'svcq: kpi: --by and --value go together\n'))
        self.assertEqual(run('report', '--week', '2026-03-04 12:00', '--fcr', 'quick', 'data/tickets.csv'), (
            2, '', 'svcq: report: no FCR definition "quick": one_agent_reply, no_customer_reply, no_reopen or '
                   'one_contact\n'))
        self.assertEqual(run('report', '--week', '2026-03-04 12:00', '--format', 'pdf', 'data/tickets.csv'), (
            2, '', 'svcq: report: no format "pdf": md, json, csv, svg-top or svg-trend\n'))
        self.assertEqual(run('report', '--week', 'soon', *self.ARGS), (
            2, '', 'svcq: --week: bad time "soon": expected YYYY-MM-DD HH:MM[:SS] with an optional offset\n'))


class Store(unittest.TestCase):
    """svcq store on a store written by tests/cli/store_gen.c: a calendar
    and two incidents (INC-1 reported and confirmed: 4 audit entries;
    INC-2 reported: 1)."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, 'app.svcq')
        subprocess.run([STORE_GEN, self.path], check=True)

    def tearDown(self):
        self.dir.cleanup()

    def test_info(self):
        rc, out, err = run('store', 'info', self.path)
        self.assertEqual((rc, err), (0, ''))
        self.assertIn('| calendar | 1 |\n| incident | 2 |\n| incident_audit | 5 |\n', out)
        self.assertIn('8 records in ', out)

    def test_list_and_get(self):
        rc, out, err = run('store', 'list', self.path, 'incident_audit', '--limit', '2')
        self.assertEqual((rc, err), (0, ''))
        ids = [line.split('\t')[0] for line in out.splitlines()]
        self.assertEqual(ids, ['INC-1/0000000001', 'INC-1/0000000002'])
        rc, out, _ = run('store', 'list', self.path, 'incident_audit', '--after', 'INC-1/0000000004')
        self.assertEqual([line.split('\t')[0] for line in out.splitlines()], ['INC-2/0000000001'])
        rc, out, err = run('store', 'get', self.path, 'incident', 'INC-1')
        self.assertEqual((rc, err), (0, ''))
        doc = json.loads(out)
        self.assertEqual((doc['id'], doc['state']), ('INC-1', 'confirmed'))

    def test_verify_and_compact(self):
        rc, out, err = run('store', 'verify', self.path)
        self.assertEqual((rc, err), (0, ''))
        self.assertEqual(out, 'INC-1: 4 audit entries verified\nINC-2: 1 audit entries verified\n'
                              '2 incidents, 0 audit chains failed\n')
        before = os.path.getsize(self.path)
        self.assertEqual(run('store', 'compact', self.path), (0, self.path + ': compacted\n', ''))
        self.assertLessEqual(os.path.getsize(self.path), before)
        rc, out, _ = run('store', 'verify', self.path)
        self.assertEqual(rc, 0)

    def test_errors(self):
        missing = os.path.join(self.dir.name, 'none.svcq')
        self.assertEqual(run('store', 'info', missing), (
            1, '', '%s: %s does not exist (a read-only store never creates it)\n' % (missing, missing)))
        self.assertEqual(run('store', 'get', self.path, 'incident', 'INC-9'),
                         (1, '', self.path + ': no record incident/INC-9\n'))
        self.assertEqual(run('store', 'frob', self.path),
                         (2, '', 'svcq: store: no action "frob": info, list, get, verify or compact\n'))
        self.assertEqual(run('store', 'list', self.path, 'incident', '--limit', '0'),
                         (2, '', 'svcq: store: --limit 0: expected 1 to 1000000\n'))
        rc, out, err = run('store', 'get', self.path, 'incident')
        self.assertEqual((rc, out), (2, ''))
        self.assertTrue(err.startswith('usage: svcq store'))


if __name__ == '__main__':
    SVCQ = os.path.abspath(sys.argv.pop(1))
    STORE_GEN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)
