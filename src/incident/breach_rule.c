/* Breach → corrective action (svcq/incident.h, "Breach → corrective
 * action"): rules per policy and target, and the idempotent opening of a
 * service-delay incident for a breach notice of any clock. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/str.h"
#include "incident/loop_internal.h"
#include "store/record.h"
#include "store/store.h"

#define BREACH_KIND "incident_breach"
#define BREACH_MAJOR 1
#define PREFIX_MAX 32
#define ID_HEX 24

const char *svcq_incident_breach_outcome_name(int32_t outcome)
{
    switch (outcome) {
    case SVCQ_INCIDENT_BREACH_IGNORED: return "ignored";
    case SVCQ_INCIDENT_BREACH_OPENED: return "opened";
    case SVCQ_INCIDENT_BREACH_DUPLICATE: return "duplicate";
    default: return NULL;
    }
}

int svcq_incident_breach_rule_init(svcq_incident_breach_rule *rule, uint32_t version)
{
    return svcq__table_init(rule, sizeof(*rule), version, SVCQ_INCIDENT_BREACH_RULE_VERSION);
}

static bool prefix_ok(const char *p)
{
    size_t n = strlen(p);
    if (n < 1 || n > PREFIX_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int svcq_incident_breach_rule_add(svcq_ctx *ctx, const svcq_incident_breach_rule *rule)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!rule)
        return svcq__error(ctx, SVCQ_EINVAL, "breach rule: NULL argument");
    if (rule->version != SVCQ_INCIDENT_BREACH_RULE_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "breach rule: version %u is not %d", (unsigned)rule->version,
                           SVCQ_INCIDENT_BREACH_RULE_VERSION);
    if (rule->reserved0 || !svcq__all_zero(rule->reserved, sizeof(rule->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "breach rule: reserved fields must be zero");
    if (!rule->policy || !*rule->policy)
        return svcq__error(ctx, SVCQ_EINVAL, "breach rule: the policy name is missing");
    const char *pol = rule->policy, *metric = svcq__inc_opt(rule->metric);
    int rc = svcq__inc_check_text(ctx, pol, "breach rule policy", pol, 255, true);
    if (!rc && metric)
        rc = svcq__inc_check_text(ctx, pol, "breach rule metric", metric, 255, true);
    if (!rc && svcq__inc_opt(rule->stage))
        rc = svcq__inc_check_key(ctx, pol, "breach rule stage", SVCQ_INCIDENT_VOCAB_STAGE, rule->stage);
    if (rc)
        return rc;
    if (svcq__inc_opt(rule->id_prefix) && !prefix_ok(rule->id_prefix))
        return svcq__error(ctx, SVCQ_EINVAL,
                           "breach rule of policy %s: id prefix \"%s\" must be 1 to %d bytes of [A-Za-z0-9._-]", pol,
                           rule->id_prefix, PREFIX_MAX);
    svcq__loop_state *L = svcq__loop_state_get(ctx);
    if (!L)
        return SVCQ_ENOMEM;
    for (size_t i = 0; i < L->nrules; i++)
        if (!strcmp(L->rules[i].policy, pol) && same(L->rules[i].metric, metric))
            return svcq__error(ctx, SVCQ_EEXIST, "breach rule of policy %s, target %s: already exists", pol,
                               metric ? metric : "(every target)");
    if (L->nrules >= SVCQ__LOOP_MAX_RULES)
        return svcq__error(ctx, SVCQ_ELIMIT, "breach rule of policy %s: more than %d rules", pol,
                           SVCQ__LOOP_MAX_RULES);
    svcq__loop_rule r = { 0 };
    rc = svcq__strdup(ctx, "breach rule", pol, &r.policy);
    if (!rc && metric)
        rc = svcq__strdup(ctx, "breach rule", metric, &r.metric);
    if (!rc)
        rc = svcq__strdup(ctx, "breach rule",
                          svcq__inc_opt(rule->stage) ? rule->stage : SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT, &r.stage);
    if (!rc)
        rc = svcq__strdup(ctx, "breach rule", svcq__inc_opt(rule->id_prefix) ? rule->id_prefix : "SD-", &r.prefix);
    svcq__loop_rule *grown = NULL;
    if (!rc) {
        grown = svcq__reallocarray(ctx, L->rules, L->nrules + 1, sizeof(*grown));
        if (!grown)
            rc = svcq__enomem(ctx);
    }
    if (rc) {
        svcq__free(ctx, r.policy);
        svcq__free(ctx, r.metric);
        svcq__free(ctx, r.stage);
        svcq__free(ctx, r.prefix);
        return rc;
    }
    L->rules = grown;
    L->rules[L->nrules++] = r;
    return SVCQ_OK;
}

int svcq_incident_breach_set_lookup(svcq_ctx *ctx, svcq_incident_subject_fn fn, void *user_data)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__loop_state *L = svcq__loop_state_get(ctx);
    if (!L)
        return SVCQ_ENOMEM;
    L->lookup = fn;
    L->lookup_data = fn ? user_data : NULL;
    return SVCQ_OK;
}

static const svcq__loop_rule *find_rule(const svcq__loop_state *L, const svcq_sla_notice *n)
{
    const svcq__loop_rule *any = NULL;
    for (size_t i = 0; L && i < L->nrules; i++) {
        const svcq__loop_rule *r = &L->rules[i];
        if (strcmp(r->policy, n->policy) != 0)
            continue;
        if (r->metric && !strcmp(r->metric, n->metric))
            return r;
        if (!r->metric)
            any = r;
    }
    return any;
}

static const char *tier_label(int32_t tier)
{
    switch (tier) {
    case SVCQ_TIER_SPECIAL: return "special";
    case SVCQ_TIER_1: return "1";
    case SVCQ_TIER_2: return "2";
    case SVCQ_TIER_3: return "3";
    default: return NULL;
    }
}

static void fmt_utc(char *buf, size_t size, svcq_time t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "%lld", (long long)t);
}

/* The link record: the key and what the breach opened. */
static int encode_link(svcq_ctx *ctx, svcq__buf *b, const char *key, const char *inc_id, const svcq_sla_notice *n,
                       const char *client, int32_t tier)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, b);
    int rc = svcq__record_begin(&w, BREACH_KIND, BREACH_MAJOR);
    if (!rc) rc = svcq__jw_key(&w, "key");
    if (!rc) rc = svcq__jw_string(&w, key);
    if (!rc) rc = svcq__jw_key(&w, "incident");
    if (!rc) rc = svcq__jw_string(&w, inc_id);
    if (!rc) rc = svcq__jw_key(&w, "subject");
    if (!rc) rc = svcq__jw_string(&w, n->subject);
    if (!rc) rc = svcq__jw_key(&w, "policy");
    if (!rc) rc = svcq__jw_string(&w, n->policy);
    if (!rc) rc = svcq__jw_key(&w, "metric");
    if (!rc) rc = svcq__jw_string(&w, n->metric);
    if (!rc) rc = svcq__jw_key(&w, "target");
    if (!rc) rc = svcq__jw_int(&w, n->target);
    if (!rc) rc = svcq__jw_key(&w, "cycle");
    if (!rc) rc = svcq__jw_int(&w, n->cycle);
    if (!rc) rc = svcq__jw_key(&w, "at");
    if (!rc) rc = svcq__jw_int(&w, n->at);
    if (!rc) rc = svcq__jw_key(&w, "client");
    if (!rc) rc = client ? svcq__jw_string(&w, client) : svcq__jw_null(&w);
    if (!rc) rc = svcq__jw_key(&w, "tier");
    if (!rc) rc = tier >= 0 ? svcq__jw_int(&w, tier) : svcq__jw_null(&w);
    if (!rc)
        rc = svcq__record_end(&w);
    return rc;
}

int svcq_incident_breach_open(svcq_incident **out, int32_t *outcome, svcq_ctx *ctx, const svcq_sla_notice *notice)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!outcome || !notice)
        return svcq__error(ctx, SVCQ_EINVAL, "breach: NULL argument");
    *outcome = SVCQ_INCIDENT_BREACH_IGNORED;
    if (notice->version != SVCQ_SLA_NOTICE_VERSION)
        return svcq__error(ctx, SVCQ_EINVAL, "breach: notice version %u is not %d", (unsigned)notice->version,
                           SVCQ_SLA_NOTICE_VERSION);
    if (!notice->subject || !notice->policy || !notice->metric)
        return svcq__error(ctx, SVCQ_EINVAL, "breach: the notice has no subject, policy or metric");
    if (notice->kind != SVCQ_SLA_NOTICE_BREACH)
        return SVCQ_OK;
    const svcq__loop_state *L = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP);
    const svcq__loop_rule *r = find_rule(L, notice);
    if (!r)
        return SVCQ_OK;
    const char *client = NULL;
    int32_t tier = -1;
    int rc = SVCQ_OK;
    if (L->lookup) {
        rc = svcq__callback_rc(L->lookup(&client, &tier, notice->subject, L->lookup_data));
        if (rc)
            return svcq__error(ctx, rc, "breach of %s/%s on %s: the host's subject lookup failed (%s)", notice->policy,
                               notice->metric, notice->subject, svcq_strerror(rc));
        client = svcq__inc_opt(client);
        if (!tier_label(tier))
            tier = -1;
    }
    /* The key, its digest, the ids. */
    svcq__buf key;
    svcq__buf_init(&key, ctx);
    rc = svcq__buf_printf(&key, "%s\n%s\n%s\n%u\n%d", notice->subject, notice->policy, notice->metric,
                          (unsigned)notice->cycle, (int)notice->level);
    if (rc) {
        svcq__buf_free(&key);
        return rc;
    }
    uint8_t digest[SVCQ__SHA256_SIZE];
    char hex[SVCQ__SHA256_HEX + 1];
    svcq__sha256(key.data, key.len, digest);
    svcq__sha256_hex(digest, hex);
    char inc_id[PREFIX_MAX + ID_HEX + 1];
    snprintf(inc_id, sizeof(inc_id), "%s%.*s", r->prefix, ID_HEX, hex);

    char *bytes = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    rc = svcq__store_get(ctx, BREACH_KIND, hex, &bytes, &size, &rev);
    svcq__free(ctx, bytes);
    if (rc == SVCQ_OK) {
        svcq__buf_free(&key);
        *outcome = SVCQ_INCIDENT_BREACH_DUPLICATE;
        return SVCQ_OK;
    }
    if (rc != SVCQ_ENOTFOUND) {
        svcq__buf_free(&key);
        return svcq__error_prefix(ctx, rc, "breach of %s/%s on %s: reading its key", notice->policy, notice->metric,
                                  notice->subject);
    }
    /* The report. */
    char due[40];
    fmt_utc(due, sizeof(due), notice->at - 1);
    svcq__buf observed, impact;
    svcq__buf_init(&observed, ctx);
    svcq__buf_init(&impact, ctx);
    rc = svcq__buf_printf(&observed, "SLA breach: target %s of policy %s on %s was due %s (cycle %u)", notice->metric,
                          notice->policy, notice->subject, due, (unsigned)notice->cycle);
    if (!rc && client)
        rc = svcq__buf_printf(&impact, "client %s%s%s", client, tier >= 0 ? ", tier " : "",
                              tier >= 0 ? tier_label(tier) : "");
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
    s.stage = r->stage;
    s.channel = SVCQ_INCIDENT_CHANNEL_SYSTEM;
    s.occurred_at = notice->at;
    s.observed = observed.data;
    s.impact = impact.len ? impact.data : NULL;
    s.reporter_name = "svcq";
    s.reporter_role = "system";
    s.client = client;
    s.ticket = notice->subject;
    svcq_incident *inc = NULL;
    svcq__tx tx;
    svcq__buf link;
    svcq__buf_init(&link, ctx);
    if (!rc)
        rc = encode_link(ctx, &link, key.data, inc_id, notice, client, tier);
    if (!rc) {
        rc = svcq__tx_begin(ctx, &tx);
        if (!rc) {
            rc = svcq_incident_report(&inc, ctx, inc_id, &s, "svcq", "system");
            uint64_t lrev = 0;
            if (!rc)
                rc = svcq__store_put(ctx, BREACH_KIND, hex, 0, link.data, link.len, &lrev);
            rc = svcq__tx_end(ctx, &tx, rc);
        }
    }
    svcq__buf_free(&key);
    svcq__buf_free(&observed);
    svcq__buf_free(&impact);
    svcq__buf_free(&link);
    if (rc == SVCQ_ECONFLICT) {
        /* Another server opened it between our read and our write. */
        svcq_incident_free(inc);
        *outcome = SVCQ_INCIDENT_BREACH_DUPLICATE;
        return SVCQ_OK;
    }
    if (rc) {
        svcq_incident_free(inc);
        return svcq__error_prefix(ctx, rc, "breach of %s/%s on %s", notice->policy, notice->metric, notice->subject);
    }
    *outcome = SVCQ_INCIDENT_BREACH_OPENED;
    if (out)
        *out = inc;
    else
        svcq_incident_free(inc);
    return SVCQ_OK;
}
