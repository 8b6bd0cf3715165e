/* Two processes, one file store, one incident (issue 11: "two application
 * servers racing on one incident").
 *
 * The file store takes an exclusive lock, so each process opens it for
 * every attempt and closes it after (the way two servers share one
 * journal through svcq_ctx_set_store). Each round: both processes load
 * the incident (same revision), meet at a barrier, then both try their
 * change on the handle they loaded. The first to get the store wins; the
 * other must get SVCQ_ECONFLICT with its handle unchanged, reload and
 * retry, and the retry must succeed. The rounds carry the incident from
 * report to close (transitions raced against other changes, measures,
 * ledger entries, indicators, verification) and many attachment races.
 * At the end the audit chain verifies, every change of both processes is
 * there (nothing lost, nothing doubled), and the incident is closed. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "incident_fixture.h"
#include "test_fs.h"

#define ATTACH_ROUNDS 12

enum { A = 0, B = 1 };

/* What a process does in round r. */
typedef enum act {
    ACT_ATTACH,
    ACT_CONFIRM,
    ACT_ANALYSING,
    ACT_ATTACH_ANALYSIS,
    ACT_LESSONS,
    ACT_PLANNING,
    ACT_MEASURE,
    ACT_EXECUTING,
    ACT_PROGRESS,
    ACT_DONE,
    ACT_VERIFYING,
    ACT_INDICATOR,
    ACT_VERIFY,
    ACT_IMPROVE,
    ACT_CLOSE,
} act;

typedef struct round_ {
    act a, b;
    svcq_time when; /* the clock of both processes */
} round_;

static const round_ SCRIPT_TAIL[] = {
    { ACT_CONFIRM, ACT_ATTACH, 0 },
    { ACT_ATTACH, ACT_ANALYSING, 0 },
    { ACT_ATTACH_ANALYSIS, ACT_LESSONS, 0 },
    { ACT_PLANNING, ACT_ATTACH, 0 },
    { ACT_MEASURE, ACT_MEASURE, 0 },
    { ACT_EXECUTING, ACT_LESSONS, 0 },
    { ACT_PROGRESS, ACT_PROGRESS, 0 },
    { ACT_PROGRESS, ACT_PROGRESS, 0 },
    { ACT_DONE, ACT_DONE, 0 },
    { ACT_VERIFYING, ACT_ATTACH, 0 },
    { ACT_INDICATOR, ACT_INDICATOR, 31 * FX_DAY },
    { ACT_VERIFY, ACT_IMPROVE, 31 * FX_DAY },
    { ACT_CLOSE, ACT_LESSONS, 31 * FX_DAY },
};
#define ROUNDS (ATTACH_ROUNDS + (int)(sizeof(SCRIPT_TAIL) / sizeof(SCRIPT_TAIL[0])))

static round_ script(int r)
{
    if (r < ATTACH_ROUNDS)
        return (round_){ ACT_ATTACH, ACT_ATTACH, 0 };
    return SCRIPT_TAIL[r - ATTACH_ROUNDS];
}

typedef struct result {
    int round;
    int first, retry;  /* rc of the first attempt and of the retry (0 when none) */
    int unchanged;     /* the loser's handle was unchanged by its failed attempt */
} result;

/* ---- a process ----------------------------------------------------------------------------- */

typedef struct proc {
    int who;
    const char *path;
    svcq_ctx *ctx;
    svcq_incident *inc;
    int seq; /* this process's changes so far, for unique texts */
} proc;

static void die(proc *p, const char *what, int rc)
{
    fprintf(stderr, "process %c: %s: %d %s\n", p->who == A ? 'A' : 'B', what, rc, svcq_ctx_errmsg(p->ctx));
    _exit(10);
}

/* Opens the journal (waiting while the other process holds it) and makes
 * it the context's store. */
static void store_open(proc *p)
{
    for (int tries = 0;; tries++) {
        svcq_store_file *fs = NULL;
        svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
        o.durability = SVCQ_STORE_SYNC_NONE;
        int rc = svcq_store_file_open(&fs, p->ctx, p->path, &o);
        if (rc == SVCQ_EBUSY && tries < 20000) {
            struct timespec ts = { 0, 500000 };
            nanosleep(&ts, NULL);
            continue;
        }
        if (rc)
            die(p, "open", rc);
        svcq_store_methods m;
        if ((rc = svcq_store_file_methods(&m, fs)) || (rc = svcq_ctx_set_store(p->ctx, &m)))
            die(p, "attach", rc);
        return;
    }
}

/* Closes it (back to an empty memory store): the lock is released. */
static void store_close(proc *p)
{
    int rc = svcq_ctx_set_store(p->ctx, NULL);
    if (rc)
        die(p, "close", rc);
}

static void reload(proc *p)
{
    svcq_incident_free(p->inc);
    p->inc = NULL;
    int rc = svcq_incident_load(&p->inc, p->ctx, "INC-1");
    if (rc)
        die(p, "load", rc);
}

static int act_do(proc *p, act a)
{
    svcq_incident *inc = p->inc;
    const char *actor = p->who == A ? "Zhao Min" : "Sun Li";
    const char *role = p->who == A ? "supervisor" : "quality_staff";
    const char *mine = p->who == A ? "m1" : "m2";
    char text[96];
    snprintf(text, sizeof(text), "file://%c-%d.jpg", p->who == A ? 'a' : 'b', p->seq);
    switch (a) {
    case ACT_ATTACH: return svcq_incident_add_attachment(inc, actor, role, "photo", text, NULL);
    case ACT_CONFIRM: {
        svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
        c.real = 1;
        c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
        c.responsible_unit = "Support tier 1";
        return svcq_incident_confirm(inc, actor, role, &c);
    }
    case ACT_ANALYSING: return svcq_incident_transition(inc, actor, role, SVCQ_INCIDENT_ANALYSING, NULL);
    case ACT_ATTACH_ANALYSIS: {
        svcq_analysis *an = NULL;
        int rc = svcq_analysis_load(&an, p->ctx, "a-INC-1");
        if (!rc)
            rc = svcq_incident_attach_analysis(inc, actor, role, an);
        svcq_analysis_free(an);
        return rc;
    }
    case ACT_LESSONS:
        snprintf(text, sizeof(text), "lesson %c-%d", p->who == A ? 'a' : 'b', p->seq);
        return svcq_incident_set_lessons(inc, actor, role, text);
    case ACT_PLANNING: return svcq_incident_transition(inc, actor, role, SVCQ_INCIDENT_PLANNING, NULL);
    case ACT_MEASURE:
        snprintf(text, sizeof(text), "measure of %c", p->who == A ? 'a' : 'b');
        return fx_measure(NULL, inc, "a-INC-1:c1", text, 1000);
    case ACT_EXECUTING: return svcq_incident_transition(inc, actor, role, SVCQ_INCIDENT_EXECUTING, NULL);
    case ACT_PROGRESS: return fx_ledger(inc, mine, SVCQ_INCIDENT_LEDGER_PROGRESS, 40 + p->seq);
    case ACT_DONE:
        return svcq_incident_set_measure_state(inc, actor, role, mine, SVCQ_INCIDENT_MEASURE_DONE, NULL);
    case ACT_VERIFYING: return svcq_incident_transition(inc, actor, role, SVCQ_INCIDENT_VERIFYING, NULL);
    case ACT_INDICATOR: return svcq_incident_record_indicator(inc, actor, role, mine, 800);
    case ACT_VERIFY: return svcq_incident_verify(NULL, inc, actor, role, 4100, 4600, NULL);
    case ACT_IMPROVE:
        return svcq_incident_add_improvement(inc, actor, role, "operating_manual", "doc://manual#4.2", NULL);
    case ACT_CLOSE: return svcq_incident_transition(inc, actor, role, SVCQ_INCIDENT_CLOSED, NULL);
    }
    return SVCQ_EINVAL;
}

static char *json_of(svcq_ctx *ctx, svcq_incident *inc)
{
    svcq_buffer *b = NULL;
    svcq_writer w;
    if (svcq_buffer_new(&b, ctx) || svcq_writer_init(&w, SVCQ_WRITER_VERSION) ||
        svcq_writer_to_buffer(&w, b) || svcq_incident_export_json(inc, &w, 0))
        return NULL;
    size_t n = svcq_buffer_size(b);
    char *s = malloc(n + 32);
    memcpy(s, svcq_buffer_data(b), n);
    snprintf(s + n, 32, "@%llu", (unsigned long long)svcq_incident_revision(inc));
    svcq_buffer_free(b);
    return s;
}

static void sync_byte(int rfd, int wfd)
{
    char c = 'x';
    if (write(wfd, &c, 1) != 1 || read(rfd, &c, 1) != 1)
        _exit(11);
}

/* The child's life: rounds, each between two barriers with the parent. */
static void child(int who, const char *path, int to_parent, int from_parent)
{
    proc p = { who, path, NULL, NULL, 0 };
    svcq_ctx_options o;
    if (svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION))
        _exit(12);
    fx_options(&o);
    if (svcq_ctx_new(&p.ctx, &o))
        _exit(12);
    for (int r = 0; r < ROUNDS; r++) {
        round_ sc = script(r);
        fx_now_value = FX_T0 + r * 60 + sc.when;
        /* Load at the revision both see. */
        sync_byte(from_parent, to_parent);
        store_open(&p);
        reload(&p);
        store_close(&p);
        sync_byte(from_parent, to_parent);
        /* Race. */
        result res = { r, 0, 0, 1 };
        char *before = json_of(p.ctx, p.inc);
        store_open(&p);
        p.seq++;
        res.first = act_do(&p, who == A ? sc.a : sc.b);
        store_close(&p);
        if (res.first == SVCQ_ECONFLICT) {
            char *after = json_of(p.ctx, p.inc);
            res.unchanged = before && after && strcmp(before, after) == 0;
            free(after);
            store_open(&p);
            reload(&p);
            res.retry = act_do(&p, who == A ? sc.a : sc.b);
            if (res.retry)
                fprintf(stderr, "process %c round %d retry: %s\n", who == A ? 'A' : 'B', r, svcq_ctx_errmsg(p.ctx));
            store_close(&p);
        } else if (res.first) {
            fprintf(stderr, "process %c round %d: %s\n", who == A ? 'A' : 'B', r, svcq_ctx_errmsg(p.ctx));
        }
        free(before);
        if (write(to_parent, &res, sizeof(res)) != (ssize_t)sizeof(res))
            _exit(13);
    }
    svcq_incident_free(p.inc);
    svcq_ctx_free(p.ctx);
    _exit(0);
}

/* ---- the parent ----------------------------------------------------------------------------- */

static int count_attach(const char *json, char who)
{
    char needle[32];
    int n = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(needle, sizeof(needle), "\"file://%c-%d.jpg\"", who, i);
        n += strstr(json, needle) != NULL;
    }
    return n;
}

static void two_processes_race(void **state)
{
    (void)state;
    /* File scope, so the forked children (which _exit) still reach them. */
    static char *dir, *path;
    dir = test_tmpdir("incident-race");
    path = test_path(dir, "journal");
    /* The incident with its confirmation group, and the analysis. */
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    fx_options(&o);
    fx_now_value = FX_T0 - 60;
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, &o), SVCQ_OK);
    svcq_store_file *fs = NULL;
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    svcq_analysis *an = NULL;
    svcq_incident *inc = NULL;
    assert_int_equal(fx_analysis(&an, ctx, "a-INC-1"), SVCQ_OK);
    assert_int_equal(svcq_analysis_save(an), SVCQ_OK);
    for (int s = 0; s < 4; s++) /* report, attachment, two confirmers */
        assert_int_equal(fx_step(&inc, ctx, "INC-1", an, s), SVCQ_OK);
    svcq_incident_free(inc);
    svcq_analysis_free(an);
    inc = NULL;
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK); /* closes the journal */

    int up[2][2], down[2][2];
    pid_t pid[2];
    for (int w = 0; w < 2; w++) {
        assert_int_equal(pipe(up[w]), 0);
        assert_int_equal(pipe(down[w]), 0);
        fflush(NULL);
        pid[w] = fork();
        assert_true(pid[w] >= 0);
        if (pid[w] == 0) {
            close(up[w][0]);
            close(down[w][1]);
            child(w, path, up[w][1], down[w][0]);
        }
        close(up[w][1]);
        close(down[w][0]);
    }
    int wins[2] = { 0, 0 };
    for (int r = 0; r < ROUNDS; r++) {
        /* Two barriers: both loaded, then both race. */
        for (int barrier = 0; barrier < 2; barrier++) {
            char c;
            for (int w = 0; w < 2; w++)
                assert_int_equal(read(up[w][0], &c, 1), 1);
            for (int w = 0; w < 2; w++)
                assert_int_equal(write(down[w][1], "g", 1), 1);
        }
        result res[2];
        for (int w = 0; w < 2; w++)
            assert_int_equal(read(up[w][0], &res[w], sizeof(res[w])), (ssize_t)sizeof(res[w]));
        /* Exactly one wins; the other conflicts, is unchanged, and its retry succeeds. */
        int winner = res[A].first == SVCQ_OK ? A : B, loser = 1 - winner;
        if (res[winner].first != SVCQ_OK || res[loser].first != SVCQ_ECONFLICT)
            fail_msg("round %d: first attempts gave %d and %d", r, res[A].first, res[B].first);
        assert_int_equal(res[loser].retry, SVCQ_OK);
        assert_true(res[loser].unchanged);
        wins[winner]++;
    }
    for (int w = 0; w < 2; w++) {
        int status;
        assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(up[w][0]);
        close(down[w][1]);
    }
    /* Both processes won some races (the race is real, not one-sided) —
     * not asserted: scheduling may favour one; printed for the log. */
    print_message("%d rounds: A won %d, B won %d\n", ROUNDS, wins[A], wins[B]);

    /* Nothing lost: every change of both processes is in the incident, once. */
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    assert_int_equal(svcq_incident_load(&inc, ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_incident_state_of(inc), SVCQ_INCIDENT_CLOSED);
    assert_int_equal(svcq_incident_measure_count(inc), 2);
    uint64_t n = 0;
    assert_int_equal(svcq_incident_audit_verify(&n, ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(n, 4 + 2 * (uint64_t)ROUNDS);
    assert_int_equal(svcq_incident_audit_count(inc), n);
    char *json = json_of(ctx, inc);
    assert_non_null(json);
    int attach_a = 0, attach_b = 0;
    for (int r = 0; r < ROUNDS; r++) {
        attach_a += script(r).a == ACT_ATTACH;
        attach_b += script(r).b == ACT_ATTACH;
    }
    assert_int_equal(count_attach(json, 'a'), attach_a);
    assert_int_equal(count_attach(json, 'b'), attach_b);
    free(json);
    svcq_incident_free(inc);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_processes_race),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
