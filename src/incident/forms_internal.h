/* Shared by the forms (forms.c) and the review pack (review.c): the
 * rendering helpers of the process documents. */
#ifndef SVCQ__INCIDENT_FORMS_INTERNAL_H
#define SVCQ__INCIDENT_FORMS_INTERNAL_H

#include "incident/incident_internal.h"

/* Markdown placeholder of a field not filled yet. */
#define SVCQ__INC_TBF "(to be filled)"

/* A value in thousandths as a decimal without trailing zeros ("3", "4.1",
 * "-0.25"). */
void svcq__inc_milli(int64_t v, char out[32]);
/* t in tz (NULL: UTC) as "2026-01-01 10:00+08:00" (json false) or RFC 3339
 * with seconds (json true). */
int svcq__inc_local(svcq_ctx *ctx, const svcq_tz *tz, svcq_time t, bool json, char out[64]);
/* s as one Markdown table cell: '|' escaped, line breaks as <br>. */
int svcq__inc_md_cell(svcq__buf *b, const char *s);
/* The label of key in vocab, or the key. */
const char *svcq__inc_label(const svcq_ctx *ctx, int32_t vocab, const char *key);
/* The root causes of the incident's analyses as Markdown list items
 * ("- text (analysis:node)\n"); "(to be filled)" when there are none. */
int svcq__inc_md_root_causes(const svcq_incident *inc, svcq__buf *b);
/* The measures as a Markdown table (id, what, owner, deadline, state,
 * indicator: baseline -> target, measured). */
int svcq__inc_md_measures(const svcq_incident *inc, const svcq_tz *tz, svcq__buf *b);

#endif
