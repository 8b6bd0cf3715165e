/* Records: the JSON documents every module persists.
 *
 * A record is a JSON object whose first member is
 * "schema": "svcq.<kind>/<major>". Writing: sq_record_begin opens the
 * object with the schema member, the module writes its members with the
 * sq_jw_* calls, sq_record_end closes it; sq_record_put stores the text
 * with compare-and-swap on the handle's revision. Reading: sq_record_load
 * (or sq_record_scan) parses the bytes and checks the schema: the right
 * kind, a major from 1 to the reader's (older majors are read by the
 * module, which looks at *major), a newer one refused with SVCQ_EVERSION;
 * members the module does not ask for are ignored. A record that is not
 * JSON, not an object, or has no (or another kind's) schema is
 * SVCQ_ECORRUPT: stored data that does not decode is damaged.
 *
 * Each kind's format is documented in docs/format.md. */
#ifndef SQ_STORE_RECORD_H
#define SQ_STORE_RECORD_H

#include "core/buf.h"
#include "core/json.h"
#include "store/store.h"

/* Longest schema text: "svcq." kind "/" 10 digits. */
#define SQ_RECORD_SCHEMA_MAX (5 + SVCQ_STORE_MAX_KIND + 1 + 10)

/* Starts w's value: '{' and the schema member of (kind, major >= 1). */
int sq_record_begin(sq_jw *w, const char *kind, uint32_t major);
/* Ends the object and the writer (sq_jw_finish): the writer's result. */
int sq_record_end(sq_jw *w);

/* Checks root's schema against kind and the newest major the reader
 * knows; *major receives the record's. */
int sq_record_check(svcq_ctx *ctx, const sq_json *root, const char *kind, uint32_t newest, uint32_t *major);

/* Parses size bytes as a record of kind (id is for messages): *doc (freed
 * with sq_json_doc_free) and *major on success. */
int sq_record_parse(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, const char *bytes,
                    size_t size, sq_json_doc **doc, uint32_t *major);

/* Reads and parses (kind, id): *doc, *major and *revision. SVCQ_ENOTFOUND
 * when absent. */
int sq_record_load(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, sq_json_doc **doc,
                   uint32_t *major, uint64_t *revision);

/* Inside a scope: stores json (a whole record) under (kind, id) if the
 * stored revision is *revision (0: must not exist), then sets *revision to
 * the new one with an undo entry (it reserves its own). */
int sq_record_put(svcq_ctx *ctx, const char *kind, const char *id, uint64_t *revision, const sq_buf *json);
/* Inside a scope: removes (kind, id) at *revision, then sets *revision to
 * 0 with an undo entry. */
int sq_record_remove(svcq_ctx *ctx, const char *kind, const char *id, uint64_t *revision);

/* Visits every record of kind, parsed and checked; root is borrowed for
 * the call. A record that does not decode stops the scan with its error. */
typedef int (*sq_record_visit_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const sq_json *root,
                                  uint32_t major, void *user_data);
int sq_record_scan(svcq_ctx *ctx, const char *kind, uint32_t newest, sq_record_visit_fn visit,
                   void *user_data);

#endif
