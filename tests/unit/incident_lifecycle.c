/* The incident lifecycle: every transition and every guard (each refusal
 * and its message), two loops back, cancel, reject, reopen on recurrence,
 * compare-and-swap between two handles, the record's round trip, the
 * archive queries, and the audit chain catching an edited, removed,
 * inserted and reordered entry (tampered directly in the store). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "incident_fixture.h"
#include "core/json.h"
#include "core/sha256.h"
#include "incident/incident_internal.h"
#include "store/store.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_analysis *a;
    svcq_incident *inc;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    test_alloc_hook(&f->alloc, &o);
    fx_options(&o);
    fx_now_value = FX_T0;
    assert_int_equal(svcq_ctx_new(&f->ctx, &o), SVCQ_OK);
    assert_int_equal(fx_analysis(&f->a, f->ctx, "a-INC-1"), SVCQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_incident_free(f->inc);
    svcq_analysis_free(f->a);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

/* Runs steps [from, to) of the lifecycle. */
static void run_steps(fx *f, int from, int to)
{
    for (int i = from; i < to; i++) {
        int rc = fx_step(&f->inc, f->ctx, "INC-1", f->a, i);
        if (rc)
            fail_msg("step %d: %s", i, svcq_ctx_errmsg(f->ctx));
    }
}

static void expect_msg(fx *f, int rc, int code, const char *msg)
{
    assert_int_equal(rc, code);
    if (!strstr(svcq_ctx_errmsg(f->ctx), msg))
        fail_msg("message \"%s\" lacks \"%s\"", svcq_ctx_errmsg(f->ctx), msg);
}

static char *json_of(svcq_ctx *ctx, const svcq_incident *inc)
{
    svcq_buffer *b = NULL;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_init(&w, SVCQ_WRITER_VERSION), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_incident_export_json(inc, &w, 0), SVCQ_OK);
    char *s = strndup(svcq_buffer_data(b), svcq_buffer_size(b));
    svcq_buffer_free(b);
    return s;
}

static void full_lifecycle(void **state)
{
    fx *f = *state;
    run_steps(f, 0, FX_STEPS);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_CLOSED);
    assert_int_equal(svcq_incident_last_verdict(f->inc), SVCQ_INCIDENT_EFFECTIVE);
    assert_int_equal(svcq_incident_loop_count(f->inc), 0);
    assert_string_equal(svcq_incident_touchpoint(f->inc), "callback");
    assert_string_equal(svcq_incident_location(f->inc), "Support centre, Shenzhen");
    assert_string_equal(svcq_incident_similarity_key(f->inc), "service_delay|technical_support|process_gap");
    assert_string_equal(svcq_analysis_incident(f->a), "INC-1");
    uint64_t n = 0;
    assert_int_equal(svcq_incident_audit_verify(&n, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(n, svcq_incident_audit_count(f->inc));
    assert_int_equal(n, 24); /* every step but the clock's */
    /* The record loads back to the same bytes. */
    svcq_incident *l = NULL;
    assert_int_equal(svcq_incident_load(&l, f->ctx, "INC-1"), SVCQ_OK);
    char *a = json_of(f->ctx, f->inc), *b = json_of(f->ctx, l);
    assert_string_equal(a, b);
    assert_int_equal(svcq_incident_revision(l), svcq_incident_revision(f->inc));
    free(a), free(b);
    svcq_incident_free(l);
    /* Closed: no more moves but reopen. */
    expect_msg(f, svcq_incident_transition(f->inc, "x", "y", SVCQ_INCIDENT_CANCELLED, "late"), SVCQ_ESTATE,
               "cannot move from closed to cancelled");
}

static void report_refusals(void **state)
{
    fx *f = *state;
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = "billing_error";
    s.stage = "reception";
    s.channel = "phone";
    s.observed = "x";
    s.reporter_name = "n";
    expect_msg(f, svcq_incident_report(&f->inc, f->ctx, "INC-9", &s, "n", "agent"), SVCQ_EINVAL,
               "incident INC-9: type \"billing_error\" is not in the type vocabulary");
    assert_int_equal(svcq_incident_vocab_add(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, "billing_error", "Billing error"),
                     SVCQ_OK);
    expect_msg(f, svcq_incident_vocab_add(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, "billing_error", "again"), SVCQ_EEXIST,
               "already present");
    expect_msg(f, svcq_incident_vocab_add(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, "Bad-Key", "x"), SVCQ_EINVAL, "a-z");
    assert_string_equal(svcq_incident_vocab_label(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, "billing_error"), "Billing error");
    assert_int_equal(svcq_incident_vocab_count(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE), 5);
    assert_string_equal(svcq_incident_vocab_key(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, 4), "billing_error");
    s.observed = NULL;
    expect_msg(f, svcq_incident_report(&f->inc, f->ctx, "INC-9", &s, "n", "agent"), SVCQ_EINVAL,
               "observation is missing");
    s.observed = "x";
    expect_msg(f, svcq_incident_report(&f->inc, f->ctx, "INC/9", &s, "n", "agent"), SVCQ_EINVAL, "'/'");
    expect_msg(f, svcq_incident_report(&f->inc, f->ctx, "INC-9", &s, "", "agent"), SVCQ_EINVAL, "actor is missing");
    s.reserved[0] = 1;
    expect_msg(f, svcq_incident_report(&f->inc, f->ctx, "INC-9", &s, "n", "agent"), SVCQ_EINVAL, "reserved");
    s.reserved[0] = 0;
    assert_int_equal(svcq_incident_report(&f->inc, f->ctx, "INC-9", &s, "n", "agent"), SVCQ_OK);
    svcq_incident *again = NULL;
    expect_msg(f, svcq_incident_report(&again, f->ctx, "INC-9", &s, "n", "agent"), SVCQ_ECONFLICT,
               "incident INC-9: already exists");
    assert_null(again);
}

static void confirm_guards(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 2);
    svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
    c.real = 1;
    c.category = "human_error";
    c.responsible_unit = "Tier 1";
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE,
               "incident INC-1: cannot confirm: the confirmation group has no service_supervisor");
    run_steps(f, 2, 3);
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE,
               "the confirmation group has no quality_staff");
    run_steps(f, 3, 4);
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE,
               "human error needs the person's assessment (double track)");
    c.person_assessment = "Agent skipped the checklist";
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE, "process's assessment");
    c.process_assessment = "The checklist is not enforced";
    c.real = 0;
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE, "judged not real");
    c.real = 1;
    c.category = NULL;
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE, "no responsibility category");
    c.category = "nonsense";
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_EINVAL,
               "responsibility category \"nonsense\" is not in the responsibility vocabulary");
    c.category = "human_error";
    c.responsible_unit = NULL;
    expect_msg(f, svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_ESTATE, "no responsible unit");
    c.responsible_unit = "Tier 1";
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_ANALYSING, NULL), SVCQ_ESTATE,
               "cannot move from reported to analysing");
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_CONFIRMED, NULL), SVCQ_EINVAL,
               "svcq_incident_confirm()");
    uint64_t rev = svcq_incident_revision(f->inc);
    assert_int_equal(svcq_incident_confirm(f->inc, "m", "supervisor", &c), SVCQ_OK);
    assert_true(svcq_incident_revision(f->inc) > rev);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_CONFIRMED);
    expect_msg(f, svcq_incident_reject(f->inc, "m", "r", "no"), SVCQ_ESTATE, "cannot reject in state confirmed");
}

static void reject_and_cancel(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 1);
    expect_msg(f, svcq_incident_reject(f->inc, "m", "r", NULL), SVCQ_EINVAL, "rejection reason is missing");
    assert_int_equal(svcq_incident_reject(f->inc, "m", "site_manager", "The customer called the wrong line"), SVCQ_OK);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_REJECTED);
    expect_msg(f, svcq_incident_add_attachment(f->inc, "m", "r", "photo", "u", NULL), SVCQ_ESTATE,
               "cannot add an attachment in state rejected");
    svcq_incident_free(f->inc);
    f->inc = NULL;
    assert_int_equal(fx_report(&f->inc, f->ctx, "INC-2"), SVCQ_OK);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_CANCELLED, NULL), SVCQ_EINVAL,
               "cancellation reason is missing");
    expect_msg(f, svcq_incident_transition(f->inc, "m", "", SVCQ_INCIDENT_CANCELLED, "dup"), SVCQ_EINVAL,
               "role is missing");
    assert_int_equal(svcq_incident_transition(f->inc, "m", "quality_manager", SVCQ_INCIDENT_CANCELLED, "duplicate of "
                                              "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_CANCELLED);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_CANCELLED, "x"), SVCQ_ESTATE,
               "cannot move from cancelled to cancelled");
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-2"), SVCQ_OK);
}

/* The text check of every call against a reference written per byte
 * (RFC 3629 decoding by hand): random texts of printable ASCII, blanks,
 * controls, DEL and valid and invalid UTF-8, on a rejected incident whose
 * calls check their texts before their state. */
static size_t ref_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!k || k > n)
        return 0;
    uint32_t v = k == 1 ? c : k == 2 ? c & 0x1Fu : k == 3 ? c & 0x0Fu : c & 0x07u;
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3Fu);
    }
    static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (v < least[k] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return k;
}

static void ref_check(const char *s, int *code, char *msg, size_t size)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), at = SIZE_MAX;
    uint32_t bad = 0;
    int blank = 1;
    *code = SVCQ_ESTATE;
    snprintf(msg, size, "cannot add an attachment in state rejected");
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ref_utf8(p + i, n - i, &cp);
        if (!k) {
            *code = SVCQ_EINVAL;
            snprintf(msg, size, "note: not valid UTF-8");
            return;
        }
        if (at == SIZE_MAX && (cp == 0x7F || (cp < 0x20 && cp != 9 && cp != 10))) {
            at = i;
            bad = cp;
        }
        if (cp != ' ' && cp != 9 && cp != 10)
            blank = 0;
        i += k;
    }
    if (at != SIZE_MAX) {
        *code = SVCQ_EINVAL;
        snprintf(msg, size, "note: control character U+%04X at byte %zu", (unsigned)bad, at);
    } else if (blank) {
        *code = SVCQ_EINVAL;
        snprintf(msg, size, "note is blank");
    }
}

static void texts_against_reference(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 1);
    assert_int_equal(svcq_incident_reject(f->inc, "m", "site_manager", "Not ours"), SVCQ_OK);
    static const char *const pieces[] = { "a", "Z", "~", " ", "\t", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9",
                                          "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xc0\xaf", "\xed\xa0\x80",
                                          "\xe2\x80", "\x80", "\xf5\x80\x80\x80", "\r" };
    const size_t np = sizeof(pieces) / sizeof(pieces[0]);
    unsigned seed = 20261130;
    int seen[4] = { 0 };
    for (int round = 0; round < 20000; round++) {
        char text[256] = "";
        size_t len = 0;
        int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
        /* Mostly plain runs, so the eight-bytes-a-turn path is taken and
         * left at every offset. */
        int plain = ((seed >> 8) & 3) != 0;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *pc = plain && (seed >> 20) % 8 ? ((seed >> 12) & 1 ? "a" : " ") : pieces[(seed >> 16) % np];
            size_t k = strlen(pc);
            if (len + k >= sizeof(text))
                break;
            memcpy(text + len, pc, k + 1);
            len += k;
        }
        int code;
        char want[128];
        ref_check(text, &code, want, sizeof(want));
        int rc = svcq_incident_add_attachment(f->inc, "m", "r", "photo", "file://x", text);
        if (rc != code || !strstr(svcq_ctx_errmsg(f->ctx), want))
            fail_msg("text #%d (%zu bytes): got %d \"%s\", want %d \"%s\"", round, len, rc,
                     svcq_ctx_errmsg(f->ctx), code, want);
        seen[code == SVCQ_ESTATE ? 0 : strstr(want, "UTF-8") ? 1 : strstr(want, "control") ? 2 : 3]++;
    }
    for (int i = 0; i < 4; i++)
        assert_true(seen[i] > 100); /* accepted, bad UTF-8, control, blank: each often */
}

/* Bytes the model's text blocks hold. */
static size_t text_bytes(const svcq_incident *inc)
{
    size_t n = 0;
    for (const svcq__inc_texts *t = inc->m.texts; t; t = t->prev)
        n += t->used;
    return n;
}

/* Calls that replace no text of the model leave its text blocks as they
 * were, however many there are (every call replaces the audit head, which
 * is kept inline for that reason); a replaced text takes new room. */
static void texts_do_not_grow(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 20);
    size_t before = text_bytes(f->inc);
    for (int i = 0; i < 500; i++)
        assert_int_equal(svcq_incident_record_indicator(f->inc, "Sun Li", "quality_staff", "m1", 800 + i % 7),
                         SVCQ_OK);
    assert_int_equal(text_bytes(f->inc), before);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_incident_set_lessons(f->inc, "Zhao Min", "supervisor", "Write the handover down"),
                     SVCQ_OK);
    assert_int_equal(text_bytes(f->inc), before + sizeof("Write the handover down"));
}

static void analysis_and_plan_guards(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 6);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_PLANNING, NULL), SVCQ_ESTATE,
               "cannot leave analysing: no analysis attached");
    /* An analysis without a root cause. */
    svcq_analysis *bare = NULL;
    assert_int_equal(svcq_analysis_new(&bare, f->ctx, "a-bare", "Late replies", SVCQ_ANALYSIS_4S), SVCQ_OK);
    assert_int_equal(svcq_incident_attach_analysis(f->inc, "m", "r", bare), SVCQ_OK);
    expect_msg(f, svcq_incident_attach_analysis(f->inc, "m", "r", bare), SVCQ_EEXIST, "already attached");
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_PLANNING, NULL), SVCQ_ESTATE,
               "cannot leave analysing: no confirmed root cause with evidence");
    svcq_analysis_free(bare);
    run_steps(f, 6, 8);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_EXECUTING, NULL), SVCQ_ESTATE,
               "cannot leave planning: no measure planned in loop 0");
    /* An incomplete measure. */
    svcq_incident_measure_spec m = SVCQ_INCIDENT_MEASURE_SPEC_INIT;
    m.kind = "training";
    m.what = "Retrain the weekend shift";
    const char *id = NULL;
    assert_int_equal(svcq_incident_add_measure(&id, f->inc, "m", "r", &m), SVCQ_OK);
    assert_string_equal(id, "m1");
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_EXECUTING, NULL), SVCQ_ESTATE,
               "incident INC-1: cannot leave planning: measure m1 has no root cause");
    m.root_cause = "a-INC-1:c9";
    expect_msg(f, svcq_incident_add_measure(NULL, f->inc, "m", "r", &m), SVCQ_EINVAL,
               "c9 is not a root cause of analysis a-INC-1");
    m.root_cause = "nowhere:c1";
    expect_msg(f, svcq_incident_add_measure(NULL, f->inc, "m", "r", &m), SVCQ_EINVAL, "not attached");
    m.root_cause = "c1";
    expect_msg(f, svcq_incident_add_measure(NULL, f->inc, "m", "r", &m), SVCQ_EINVAL, "<analysis id>:<node id>");
    m.root_cause = NULL;
    m.kind = "hugging";
    expect_msg(f, svcq_incident_add_measure(NULL, f->inc, "m", "r", &m), SVCQ_EINVAL,
               "measure kind \"hugging\" is not in the measure_kind vocabulary");
    assert_int_equal(svcq_incident_set_measure_state(f->inc, "m", "r", "m1", SVCQ_INCIDENT_MEASURE_CANCELLED,
                                                     "replaced by m2"), SVCQ_OK);
    assert_int_equal(svcq_incident_measure_state_of(f->inc, "m1"), SVCQ_INCIDENT_MEASURE_CANCELLED);
    /* A complete measure on the root cause: then every guard passes. */
    run_steps(f, 8, 9);
    /* Root cause of a second analysis without a measure. */
    svcq_analysis *b = NULL;
    assert_int_equal(fx_analysis(&b, f->ctx, "a-second"), SVCQ_OK);
    assert_int_equal(svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_EXECUTING, NULL), SVCQ_OK);
    svcq_analysis_free(b);
}

static void root_cause_without_measure(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 7);
    svcq_analysis *b = NULL;
    assert_int_equal(fx_analysis(&b, f->ctx, "a-second"), SVCQ_OK);
    assert_int_equal(svcq_incident_attach_analysis(f->inc, "m", "r", b), SVCQ_OK);
    run_steps(f, 7, 10);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_EXECUTING, NULL), SVCQ_ESTATE,
               "incident INC-1: cannot leave planning: root cause a-second:c1 has no measure");
    svcq_analysis_free(b);
}

static void execute_guards(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 11);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_VERIFYING, NULL), SVCQ_ESTATE,
               "cannot leave executing: measure m1 is planned");
    run_steps(f, 11, 12);
    assert_int_equal(svcq_incident_measure_state_of(f->inc, "m1"), SVCQ_INCIDENT_MEASURE_IN_PROGRESS);
    svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
    l.kind = SVCQ_INCIDENT_LEDGER_PROGRESS;
    l.measure = "m7";
    expect_msg(f, svcq_incident_ledger_add(f->inc, "m", "r", &l), SVCQ_ENOTFOUND, "no measure m7");
    l.measure = "m1";
    l.percent = 101;
    expect_msg(f, svcq_incident_ledger_add(f->inc, "m", "r", &l), SVCQ_EINVAL, "101% is not 0 to 100");
    l.kind = SVCQ_INCIDENT_LEDGER_ADJUSTMENT;
    l.reason = "r";
    l.approver = "z";
    expect_msg(f, svcq_incident_ledger_add(f->inc, "m", "r", &l), SVCQ_EINVAL, "new deadline or a new owner");
    l.kind = SVCQ_INCIDENT_LEDGER_DEVIATION;
    expect_msg(f, svcq_incident_ledger_add(f->inc, "m", "r", &l), SVCQ_EINVAL, "deviation is missing");
    expect_msg(f, svcq_incident_set_measure_state(f->inc, "m", "r", "m1", SVCQ_INCIDENT_MEASURE_CANCELLED, NULL),
               SVCQ_EINVAL, "cancellation reason is missing");
    /* Overdue: the deadline is 7 days out. */
    assert_int_equal(svcq_incident_measure_overdue(f->inc, "m1"), 0);
    fx_now_value += 8 * FX_DAY;
    assert_int_equal(svcq_incident_measure_overdue(f->inc, "m1"), 1);
    run_steps(f, 12, 15);
    assert_int_equal(svcq_incident_measure_overdue(f->inc, "m2"), 1); /* the adjustment changed the owner only */
    run_steps(f, 15, 16);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_VERIFYING, NULL), SVCQ_ESTATE,
               "measure m2 is in_progress");
    expect_msg(f, svcq_incident_set_measure_state(f->inc, "m", "r", "m1", SVCQ_INCIDENT_MEASURE_DONE, NULL),
               SVCQ_ESTATE, "measure m1 is already done");
    run_steps(f, 16, 18);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_VERIFYING);
}

/* The audit entries quote a deviation note, an owner and the findings cut
 * to a length: the cut falls between characters, never inside one (a note
 * of 2-byte characters after one ASCII byte puts byte 200 mid-character),
 * so the call goes through and the chain verifies. */
static void multibyte_texts_cut_whole(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 11);
    char note[1 + 150 * 2 + 1], owner[1 + 120 * 2 + 1];
    note[0] = owner[0] = 'x';
    for (int i = 0; i < 150; i++)
        memcpy(note + 1 + 2 * i, "\xc3\xa9", 2); /* é */
    note[sizeof(note) - 1] = '\0';
    for (int i = 0; i < 120; i++)
        memcpy(owner + 1 + 2 * i, "\xc3\xa9", 2);
    owner[sizeof(owner) - 1] = '\0';
    svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
    l.kind = SVCQ_INCIDENT_LEDGER_DEVIATION;
    l.measure = "m1";
    l.note = note;
    l.reason = "r";
    assert_int_equal(svcq_incident_ledger_add(f->inc, "m", "r", &l), SVCQ_OK);
    svcq_incident_ledger_spec adj = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
    adj.kind = SVCQ_INCIDENT_LEDGER_ADJUSTMENT;
    adj.measure = "m1";
    adj.reason = "r";
    adj.approver = "z";
    adj.new_owner = owner;
    assert_int_equal(svcq_incident_ledger_add(f->inc, "m", "r", &adj), SVCQ_OK);
    adj.new_owner = "Chen Jie"; /* "before" quotes the long owner */
    assert_int_equal(svcq_incident_ledger_add(f->inc, "m", "r", &adj), SVCQ_OK);
    uint64_t n = 0;
    assert_int_equal(svcq_incident_audit_verify(&n, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(n, svcq_incident_audit_count(f->inc));
    svcq_incident *l2 = NULL;
    assert_int_equal(svcq_incident_load(&l2, f->ctx, "INC-1"), SVCQ_OK);
    char *a = json_of(f->ctx, f->inc), *b = json_of(f->ctx, l2);
    assert_string_equal(a, b);
    free(a);
    free(b);
    svcq_incident_free(l2);
}

static void verify_window_and_close_guards(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 18);
    assert_int_equal(svcq_incident_window_end(f->inc), fx_now_value + 30 * FX_DAY);
    expect_msg(f, svcq_incident_verify(NULL, f->inc, "q", "quality_staff", 4000, 4500, NULL), SVCQ_ESTATE,
               "cannot verify: the observation window ends 2026-01-31T02:00:00Z");
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_CLOSED, NULL), SVCQ_ESTATE,
               "cannot close: the effect was not verified");
    run_steps(f, 18, 22);
    expect_msg(f, svcq_incident_transition(f->inc, "m", "r", SVCQ_INCIDENT_CLOSED, NULL), SVCQ_ESTATE,
               "cannot close: no improvement entry");
    run_steps(f, 22, 25);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_CLOSED);
}

/* Drives a verification that fails (indicator m1 misses its target). */
static void failing_verification(fx *f, int32_t *verdict)
{
    run_steps(f, 19, 20);
    assert_int_equal(svcq_incident_record_indicator(f->inc, "q", "quality_staff", "m2", 2500), SVCQ_OK);
    assert_int_equal(svcq_incident_verify(verdict, f->inc, "q", "quality_staff", 4100, 4000, NULL), SVCQ_OK);
}

static void two_loops_back(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 19);
    int32_t v = 0;
    uint32_t rec = 9;
    assert_int_equal(svcq_incident_evaluate(&v, &rec, f->inc), SVCQ_OK);
    assert_int_equal(v, SVCQ_INCIDENT_NOT_EFFECTIVE); /* nothing measured yet */
    assert_int_equal(rec, 0);
    failing_verification(f, &v);
    assert_int_equal(v, SVCQ_INCIDENT_NOT_EFFECTIVE);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_ANALYSING);
    assert_int_equal(svcq_incident_loop_count(f->inc), 1);
    /* Loop 1: planning needs a new measure of this loop. */
    assert_int_equal(svcq_incident_transition(f->inc, "q", "r", SVCQ_INCIDENT_PLANNING, NULL), SVCQ_OK);
    expect_msg(f, svcq_incident_transition(f->inc, "q", "r", SVCQ_INCIDENT_EXECUTING, NULL), SVCQ_ESTATE,
               "no measure planned in loop 1");
    for (int loop = 1; loop <= 2; loop++) {
        const char *id = NULL;
        assert_int_equal(fx_measure(&id, f->inc, "a-INC-1:c1", "Second try", 1000), SVCQ_OK);
        assert_int_equal(svcq_incident_transition(f->inc, "q", "r", SVCQ_INCIDENT_EXECUTING, NULL), SVCQ_OK);
        assert_int_equal(svcq_incident_set_measure_state(f->inc, "q", "r", id, SVCQ_INCIDENT_MEASURE_DONE, NULL),
                         SVCQ_OK);
        assert_int_equal(svcq_incident_transition(f->inc, "q", "r", SVCQ_INCIDENT_VERIFYING, NULL), SVCQ_OK);
        fx_now_value += 31 * FX_DAY;
        assert_int_equal(svcq_incident_record_indicator(f->inc, "q", "r", id, loop == 1 ? 1500 : 700), SVCQ_OK);
        assert_int_equal(svcq_incident_verify(&v, f->inc, "q", "r", 4000, 4700, NULL), SVCQ_OK);
        if (loop == 1) {
            assert_int_equal(v, SVCQ_INCIDENT_NOT_EFFECTIVE);
            assert_int_equal(svcq_incident_loop_count(f->inc), 2);
            assert_int_equal(svcq_incident_transition(f->inc, "q", "r", SVCQ_INCIDENT_PLANNING, NULL), SVCQ_OK);
        }
    }
    assert_int_equal(v, SVCQ_INCIDENT_EFFECTIVE);
    run_steps(f, 22, 25);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_CLOSED);
    assert_int_equal(svcq_incident_loop_count(f->inc), 2);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
}

static int count_ids(const char *id, void *user)
{
    (void)id;
    (*(int *)user)++;
    return 0;
}

static void recurrence_reopens_and_archive(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 25);
    svcq_incident *other = NULL;
    assert_int_equal(fx_report(&other, f->ctx, "INC-2"), SVCQ_OK);
    int n = 0;
    assert_int_equal(svcq_incident_similar(f->inc, count_ids, &n), SVCQ_OK);
    assert_int_equal(n, 0); /* INC-2 has no category yet: key differs */
    assert_int_equal(svcq_incident_set_similarity_key(other, "q", "r", "service_delay|technical_support|process_gap"),
                     SVCQ_OK);
    assert_int_equal(svcq_incident_similar(f->inc, count_ids, &n), SVCQ_OK);
    assert_int_equal(n, 1);
    expect_msg(f, svcq_incident_link_recurrence(f->inc, "q", "r", "INC-404"), SVCQ_ENOTFOUND,
               "recurrence INC-404 is not a stored incident");
    expect_msg(f, svcq_incident_link_recurrence(f->inc, "q", "r", "INC-1"), SVCQ_EINVAL, "its own recurrence");
    assert_int_equal(svcq_incident_link_recurrence(f->inc, "q", "quality_staff", "INC-2"), SVCQ_OK);
    assert_int_equal(svcq_incident_state_of(f->inc), SVCQ_INCIDENT_ANALYSING);
    assert_int_equal(svcq_incident_loop_count(f->inc), 1);
    expect_msg(f, svcq_incident_link_recurrence(f->inc, "q", "r", "INC-2"), SVCQ_EEXIST, "already linked");
    /* Archive queries. */
    svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
    n = 0;
    assert_int_equal(svcq_incident_list(f->ctx, &q, count_ids, &n), SVCQ_OK);
    assert_int_equal(n, 2);
    q.state = SVCQ_INCIDENT_REPORTED;
    n = 0;
    assert_int_equal(svcq_incident_list(f->ctx, &q, count_ids, &n), SVCQ_OK);
    assert_int_equal(n, 1);
    q.state = 0;
    q.client = "client-7";
    n = 0;
    assert_int_equal(svcq_incident_list(f->ctx, &q, count_ids, &n), SVCQ_OK);
    assert_int_equal(n, 0);
    q.client = NULL;
    q.from = FX_T0 + 1;
    n = 0;
    assert_int_equal(svcq_incident_list(f->ctx, &q, count_ids, &n), SVCQ_OK);
    assert_int_equal(n, 1); /* INC-2, reported 31 days later */
    svcq_incident_free(other);
    /* A recurrence linked after the reopen period only links. */
    svcq_incident_free(f->inc);
    f->inc = NULL;
}

static int count_overdue(const char *inc, const char *m, svcq_time d, void *user)
{
    (void)inc, (void)m, (void)d;
    (*(int *)user)++;
    return 0;
}

static void overdue_across(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 12);
    int n = 0;
    assert_int_equal(svcq_incident_list_overdue(f->ctx, fx_now_value, count_overdue, &n), SVCQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svcq_incident_list_overdue(f->ctx, fx_now_value + 8 * FX_DAY, count_overdue, &n), SVCQ_OK);
    assert_int_equal(n, 2);
}

static void cas_conflict(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 1);
    svcq_incident *b = NULL;
    assert_int_equal(svcq_incident_load(&b, f->ctx, "INC-1"), SVCQ_OK);
    char *before = json_of(f->ctx, b);
    uint64_t rev = svcq_incident_revision(b);
    run_steps(f, 1, 2);
    expect_msg(f, svcq_incident_add_confirmer(b, "m", "r", "Zhao", "service_supervisor"), SVCQ_ECONFLICT, "INC-1");
    char *after = json_of(f->ctx, b);
    assert_string_equal(before, after);
    assert_int_equal(svcq_incident_revision(b), rev);
    free(before), free(after);
    svcq_incident_free(b);
    assert_int_equal(svcq_incident_load(&b, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_incident_add_confirmer(b, "m", "r", "Zhao", "service_supervisor"), SVCQ_OK);
    svcq_incident_free(b);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
}

/* ---- tampering ------------------------------------------------------------------------------ */

static char *get_entry(fx *f, uint64_t seq, uint64_t *rev)
{
    char id[64], *bytes = NULL;
    size_t size = 0;
    snprintf(id, sizeof(id), "INC-1/%010llu", (unsigned long long)seq);
    assert_int_equal(svcq__store_get(f->ctx, "incident_audit", id, &bytes, &size, rev), SVCQ_OK);
    char *copy = strdup(bytes);
    svcq__free(f->ctx, bytes);
    return copy;
}

static void put_entry(fx *f, uint64_t seq, uint64_t rev, const char *bytes)
{
    char id[64];
    snprintf(id, sizeof(id), "INC-1/%010llu", (unsigned long long)seq);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(f->ctx, &tx), SVCQ_OK);
    int rc = bytes ? svcq__store_put(f->ctx, "incident_audit", id, rev, bytes, strlen(bytes), &rev)
                   : svcq__store_remove(f->ctx, "incident_audit", id, rev);
    assert_int_equal(svcq__tx_end(f->ctx, &tx, rc), SVCQ_OK);
}

static void replace(char *s, const char *from, const char *to)
{
    char *p = strstr(s, from);
    assert_non_null(p);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(p, to, strlen(to));
}

/* ---- the audit entries' bytes against an independent writer ----------------------------- */

/* Each stored entry is, byte for byte, what the generic JSON writer makes
 * of its fields, and its hash is SHA-256 over the canonical bytes of
 * docs/format.md built here with snprintf, chained to the one before:
 * texts that need escapes (quotes, backslash, tab, newline, U+2028), texts
 * past the hash's buffer and plain ones. */
static void check_entries(fx *f, uint64_t count)
{
    char prev[SVCQ__SHA256_HEX + 1];
    memset(prev, '0', SVCQ__SHA256_HEX);
    prev[SVCQ__SHA256_HEX] = '\0';
    for (uint64_t seq = 1; seq <= count; seq++) {
        uint64_t rev;
        char *bytes = get_entry(f, seq, &rev);
        svcq__json_doc *doc = NULL;
        assert_int_equal(svcq__json_parse(f->ctx, bytes, strlen(bytes), NULL, &doc), SVCQ_OK);
        const svcq__json *r = svcq__json_root(doc);
        const char *inc, *actor, *role, *action, *before, *after, *p, *h;
        int64_t s, t;
        assert_int_equal(svcq__json_get_string(f->ctx, r, "incident", true, &inc, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_int(f->ctx, r, "seq", true, &s), SVCQ_OK);
        assert_int_equal(svcq__json_get_int(f->ctx, r, "time", true, &t), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "actor", true, &actor, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "role", true, &role, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "action", true, &action, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "before", true, &before, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "after", true, &after, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "prev", true, &p, NULL), SVCQ_OK);
        assert_int_equal(svcq__json_get_string(f->ctx, r, "hash", true, &h, NULL), SVCQ_OK);
        assert_int_equal(s, (int64_t)seq);
        assert_string_equal(p, prev);
        /* The record as the generic writer writes it. */
        svcq__buf b;
        svcq__buf_init(&b, f->ctx);
        svcq__jw w;
        svcq__jw_init_buf(&w, f->ctx, &b);
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "schema");
        svcq__jw_string(&w, "svcq.incident_audit/1");
        svcq__jw_key(&w, "incident");
        svcq__jw_string(&w, inc);
        svcq__jw_key(&w, "seq");
        svcq__jw_int(&w, s);
        svcq__jw_key(&w, "time");
        svcq__jw_int(&w, t);
        svcq__jw_key(&w, "actor");
        svcq__jw_string(&w, actor);
        svcq__jw_key(&w, "role");
        svcq__jw_string(&w, role);
        svcq__jw_key(&w, "action");
        svcq__jw_string(&w, action);
        svcq__jw_key(&w, "before");
        svcq__jw_string(&w, before);
        svcq__jw_key(&w, "after");
        svcq__jw_string(&w, after);
        svcq__jw_key(&w, "prev");
        svcq__jw_string(&w, p);
        svcq__jw_key(&w, "hash");
        svcq__jw_string(&w, h);
        svcq__jw_object_end(&w);
        assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
        assert_string_equal(bytes, b.data);
        svcq__buf_free(&b);
        /* The hash over the canonical bytes. */
        size_t size = 512 + strlen(inc) + strlen(actor) + strlen(role) + strlen(action) + strlen(before) +
                      strlen(after);
        char *c = malloc(size);
        int n = snprintf(c, size, "svcq.incident_audit/1\n%zu:%s\n%zu:%lld\n%zu:%lld\n%zu:%s\n%zu:%s\n%zu:%s\n"
                         "%zu:%s\n%zu:%s\n%zu:%s\n", strlen(inc), inc, (size_t)snprintf(NULL, 0, "%lld", (long long)s),
                         (long long)s, (size_t)snprintf(NULL, 0, "%lld", (long long)t), (long long)t, strlen(actor),
                         actor, strlen(role), role, strlen(action), action, strlen(before), before, strlen(after),
                         after, strlen(p), p);
        assert_true(n > 0 && (size_t)n < size);
        uint8_t d[SVCQ__SHA256_SIZE];
        char hex[SVCQ__SHA256_HEX + 1];
        svcq__sha256(c, (size_t)n, d);
        svcq__sha256_hex(d, hex);
        assert_string_equal(h, hex);
        memcpy(prev, h, sizeof(prev));
        free(c);
        svcq__json_doc_free(doc);
        free(bytes);
    }
    assert_string_equal(svcq_incident_audit_head(f->inc), prev);
}

static void audit_entry_bytes(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 7);
    /* Escapes in the actor, the role and the texts; texts longer than the
     * hash's buffer; then plain ones again. */
    const char *actor = "Jo \"Q\" \\ Li\tn\n", *role = "r\xe2\x80\xa8o\xc3\xa9le";
    char *big = malloc(SVCQ_INCIDENT_MAX_TEXT + 1);
    for (size_t i = 0; i < SVCQ_INCIDENT_MAX_TEXT; i++)
        big[i] = "ab\"c\\d\n\xc3\xa9 "[i % 10];
    big[SVCQ_INCIDENT_MAX_TEXT - 1] = 'x'; /* not inside the two bytes of \xc3\xa9 */
    big[SVCQ_INCIDENT_MAX_TEXT] = '\0';
    assert_int_equal(svcq_incident_set_lessons(f->inc, actor, role, big), SVCQ_OK);
    for (size_t i = 0; i < SVCQ_INCIDENT_MAX_TEXT; i++)
        big[i] = (char)('a' + i % 26);
    assert_int_equal(svcq_incident_set_lessons(f->inc, "Sun Li", "quality_staff", big), SVCQ_OK);
    big[1000] = '\0'; /* around the buffer's size with the other fields */
    assert_int_equal(svcq_incident_set_lessons(f->inc, "Sun Li", "quality_staff", big), SVCQ_OK);
    assert_int_equal(svcq_incident_set_lessons(f->inc, "Sun Li", "quality_staff", "short"), SVCQ_OK);
    assert_int_equal(svcq_incident_set_lessons(f->inc, actor, "r", "\"quoted\""), SVCQ_OK);
    run_steps(f, 7, 25);
    free(big);
    uint64_t n = 0;
    assert_int_equal(svcq_incident_audit_verify(&n, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(n, svcq_incident_audit_count(f->inc));
    check_entries(f, n);
}

static void tamper(void **state)
{
    fx *f = *state;
    run_steps(f, 0, 6);
    uint64_t n = 0;
    assert_int_equal(svcq_incident_audit_verify(&n, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(n, 6);
    uint64_t r3, r4;
    char *e3 = get_entry(f, 3, &r3), *e4 = get_entry(f, 4, &r4);
    /* Edited: a name changed in entry 3. */
    char *ed = strdup(e3);
    replace(ed, "Zhao Min", "Zhao Mix");
    put_entry(f, 3, r3, ed);
    expect_msg(f, svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_ECORRUPT, "audit entry 3 was edited");
    free(get_entry(f, 3, &r3));
    put_entry(f, 3, r3, e3);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
    /* Reordered: entries 3 and 4 swapped. */
    free(get_entry(f, 3, &r3));
    put_entry(f, 3, r3, e4);
    free(get_entry(f, 4, &r4));
    put_entry(f, 4, r4, e3);
    expect_msg(f, svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_ECORRUPT, "reordered");
    free(get_entry(f, 3, &r3));
    put_entry(f, 3, r3, e3);
    free(get_entry(f, 4, &r4));
    put_entry(f, 4, r4, e4);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
    /* Removed: entry 4 deleted. */
    free(get_entry(f, 4, &r4));
    put_entry(f, 4, r4, NULL);
    expect_msg(f, svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_ECORRUPT, "audit entry 4 is missing");
    put_entry(f, 4, 0, e4);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
    /* Removed and renumbered: entry 4's content moved to 3 (seq edited). */
    char *moved = strdup(e4);
    replace(moved, "\"seq\":4", "\"seq\":3");
    free(get_entry(f, 3, &r3));
    put_entry(f, 3, r3, moved);
    expect_msg(f, svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_ECORRUPT, "audit entry 3");
    free(get_entry(f, 3, &r3));
    put_entry(f, 3, r3, e3);
    /* Inserted: a copy of entry 6 as entry 7, past the count. */
    uint64_t r6;
    char *e6 = get_entry(f, 6, &r6);
    char *ins = strdup(e6);
    replace(ins, "\"seq\":6", "\"seq\":7");
    put_entry(f, 7, 0, ins);
    expect_msg(f, svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_ECORRUPT, "entry 7 exists past");
    /* Export refuses a broken chain, then works when it is whole. */
    uint64_t r7;
    free(get_entry(f, 7, &r7));
    put_entry(f, 7, r7, NULL);
    svcq_buffer *b = NULL;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_init(&w, SVCQ_WRITER_VERSION), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_incident_audit_export(f->ctx, "INC-1", &w, SVCQ_INCIDENT_TRAIL_MARKDOWN, NULL), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b), "| 4 | 2026-01-01T02:00:00+00:00 | Zhao Min (supervisor) | confirmer_added"));
    svcq_buffer_clear(b);
    assert_int_equal(svcq_incident_audit_export(f->ctx, "INC-1", &w, SVCQ_INCIDENT_TRAIL_JSON, NULL), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b), "\"action\":\"confirmed\""));
    svcq_buffer_free(b);
    free(e3), free(e4), free(e6), free(ed), free(moved), free(ins);
    /* A record whose audit head is not hex is refused when read (the
     * writer copies the head into new records and entries unescaped). */
    char *rec = NULL;
    size_t size = 0;
    uint64_t rrev = 0;
    assert_int_equal(svcq__store_get(f->ctx, "incident", "INC-1", &rec, &size, &rrev), SVCQ_OK);
    char *p = strstr(rec, "\"audit_head\":\"");
    assert_non_null(p);
    p[strlen("\"audit_head\":\"") + 5] = 'g';
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(f->ctx, &tx), SVCQ_OK);
    int rc = svcq__store_put(f->ctx, "incident", "INC-1", rrev, rec, size, &rrev);
    assert_int_equal(svcq__tx_end(f->ctx, &tx, rc), SVCQ_OK);
    svcq__free(f->ctx, rec);
    svcq_incident *l = NULL;
    expect_msg(f, svcq_incident_load(&l, f->ctx, "INC-1"), SVCQ_ECORRUPT, "not a SHA-256 hex digest");
    assert_null(l);
}

static void names_and_table(void **state)
{
    (void)state;
    assert_string_equal(svcq_incident_state_name(SVCQ_INCIDENT_VERIFYING), "verifying");
    assert_null(svcq_incident_state_name(10));
    assert_string_equal(svcq_incident_measure_state_name(SVCQ_INCIDENT_MEASURE_IN_PROGRESS), "in_progress");
    assert_string_equal(svcq_incident_vocab_name(SVCQ_INCIDENT_VOCAB_MEASURE_KIND), "measure_kind");
    assert_string_equal(svcq_incident_ledger_kind_name(SVCQ_INCIDENT_LEDGER_ADJUSTMENT), "adjustment");
    assert_string_equal(svcq_incident_direction_name(SVCQ_INCIDENT_LOWER_IS_BETTER), "lower_is_better");
    assert_string_equal(svcq_incident_verdict_name(SVCQ_INCIDENT_NOT_EFFECTIVE), "not_effective");
    assert_string_equal(svcq_incident_trail_format_name(SVCQ_INCIDENT_TRAIL_JSON), "json");
    int allowed = 0;
    for (int a = 0; a <= 10; a++)
        for (int b = 0; b <= 10; b++)
            allowed += svcq_incident_transition_allowed(a, b);
    assert_int_equal(allowed, 15);
    assert_true(svcq_incident_transition_allowed(SVCQ_INCIDENT_CLOSED, SVCQ_INCIDENT_ANALYSING));
    assert_false(svcq_incident_transition_allowed(SVCQ_INCIDENT_REJECTED, SVCQ_INCIDENT_CANCELLED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(report_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(confirm_guards, setup, teardown),
        cmocka_unit_test_setup_teardown(reject_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(texts_against_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(texts_do_not_grow, setup, teardown),
        cmocka_unit_test_setup_teardown(analysis_and_plan_guards, setup, teardown),
        cmocka_unit_test_setup_teardown(root_cause_without_measure, setup, teardown),
        cmocka_unit_test_setup_teardown(execute_guards, setup, teardown),
        cmocka_unit_test_setup_teardown(multibyte_texts_cut_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_window_and_close_guards, setup, teardown),
        cmocka_unit_test_setup_teardown(two_loops_back, setup, teardown),
        cmocka_unit_test_setup_teardown(recurrence_reopens_and_archive, setup, teardown),
        cmocka_unit_test_setup_teardown(overdue_across, setup, teardown),
        cmocka_unit_test_setup_teardown(cas_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(tamper, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_entry_bytes, setup, teardown),
        cmocka_unit_test(names_and_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
