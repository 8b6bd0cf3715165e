/* Records: the JSON documents every module persists.
 *
 * A record is a JSON object whose first member is
 * "schema": "svcq.<kind>/<major>". Writing: svcq__record_begin opens the
 * object with the schema member, the module writes its members with the
 * svcq__jw_* calls, svcq__record_end closes it; svcq__record_put stores the text
 * with compare-and-swap on the handle's revision. Reading: svcq__record_load
 * (or svcq__record_scan) parses the bytes and checks the schema: the right
 * kind, a major from 1 to the reader's (older majors are read by the
 * module, which looks at *major), a newer one refused with SVCQ_EVERSION;
 * members the module does not ask for are ignored. A record that is not
 * JSON, not an object, or has no (or another kind's) schema is
 * SVCQ_ECORRUPT: stored data that does not decode is damaged.
 *
 * Each kind's format is documented in docs/format.md. */
#ifndef SVCQ__STORE_RECORD_H
#define SVCQ__STORE_RECORD_H

#include "core/buf.h"
#include "core/json.h"
#include "store/store.h"

/* Longest schema text: "svcq." kind "/" 10 digits. */
#define SVCQ__RECORD_SCHEMA_MAX (5 + SVCQ_STORE_MAX_KIND + 1 + 10)

/* Starts w's value: '{' and the schema member of (kind, major >= 1). */
int svcq__record_begin(svcq__jw *w, const char *kind, uint32_t major);
/* Ends the object and the writer (svcq__jw_finish): the writer's result. */
int svcq__record_end(svcq__jw *w);

/* Checks root's schema against kind and the newest major the reader
 * knows; *major receives the record's. */
int svcq__record_check(svcq_ctx *ctx, const svcq__json *root, const char *kind, uint32_t newest, uint32_t *major);

/* Parses size bytes as a record of kind (id is for messages): *doc (freed
 * with svcq__json_doc_free) and *major on success. */
int svcq__record_parse(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, const char *bytes,
                    size_t size, svcq__json_doc **doc, uint32_t *major);

/* Reads and parses (kind, id): *doc, *major and *revision. SVCQ_ENOTFOUND
 * when absent. */
int svcq__record_load(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, svcq__json_doc **doc,
                   uint32_t *major, uint64_t *revision);

/* Inside a scope: stores json (a whole record) under (kind, id) if the
 * stored revision is *revision (0: must not exist), then sets *revision to
 * the new one with an undo entry (it reserves its own) owned by the handle
 * owner that holds *revision (see svcq__undo_set_u64: its _free detaches). */
int svcq__record_put(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision,
                     const svcq__buf *json);
/* Inside a scope: publishes json as the immutable record (kind, id) of a
 * versioned configuration (a policy, scheme or template "name@version"):
 * stores it when absent, succeeds without writing when the stored bytes are
 * the same, and refuses other content with SVCQ_EEXIST and a message that
 * starts with what ("policy tier.1 v1"). *revision receives the record's
 * revision on success. */
int svcq__record_publish(svcq_ctx *ctx, const char *kind, const char *id, const svcq__buf *json, const char *what,
                         uint64_t *revision);
/* For a load: rc from decoding stored bytes. The setters' refusals
 * (SVCQ_EINVAL, SVCQ_EPARSE, SVCQ_ELIMIT, SVCQ_ERANGE) mean damaged data:
 * they become SVCQ_ECORRUPT with the message prefixed by the record
 * ("record calendar \"x\": ..."); any other rc is returned as it is. */
int svcq__record_damaged(svcq_ctx *ctx, const char *kind, const char *id, int rc);
/* Inside a scope: removes (kind, id) at *revision, then sets *revision to
 * 0 with an undo entry owned by owner. */
int svcq__record_remove(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision);

/* Visits every record of kind, parsed and checked; root is borrowed for
 * the call. A record that does not decode stops the scan with its error. */
typedef int (*svcq__record_visit_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root,
                                  uint32_t major, void *user_data);
int svcq__record_scan(svcq_ctx *ctx, const char *kind, uint32_t newest, svcq__record_visit_fn visit,
                   void *user_data);

/* ---- version 2 of the storage contract ----------------------------------------- */

/* svcq__record_put that also declares the record's index terms (see
 * svcq__store_put_terms; the names a module uses are listed in
 * docs/storage.md). A version-1 store stores the record without them: a
 * module that declares terms must also be able to derive them from the
 * record (svcq__record_terms_fn) for the fallback of the term scan. */
int svcq__record_put_terms(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision,
                           const svcq__buf *json, const svcq_store_term *terms, size_t n_terms);

/* Visits the records of kind with an id above after (NULL: from the
 * first) in byte order of ids, at most limit (0: all), parsed and checked. */
int svcq__record_scan_range(svcq_ctx *ctx, const char *kind, uint32_t newest, const char *after, uint32_t limit,
                            svcq__record_visit_fn visit, void *user_data);

/* Derives the terms a record declared from its decoded document (the
 * version-1 fallback): fills terms (room for SVCQ_STORE_MAX_TERMS; strings
 * may point into root) and *n. */
typedef int (*svcq__record_terms_fn)(svcq_ctx *ctx, const char *id, const svcq__json *root, uint32_t major,
                                     svcq_store_term *terms, size_t *n, void *data);
/* Receives one record of a term scan and its value of the term. */
typedef int (*svcq__record_term_visit_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root,
                                          uint32_t major, const svcq_store_term *term, void *user_data);
/* Visits the records of kind whose term q->name lies in [q->lo, q->hi],
 * by (value, id), after (q->after, q->after_id) when paging, at most
 * q->limit. With a store that keeps terms this is the store's scan_term;
 * with any other store — the one internal fallback — every record is
 * read, extract derives its terms, and the matches are filtered and
 * sorted in memory. */
int svcq__record_scan_term(svcq_ctx *ctx, const char *kind, uint32_t newest, const svcq__term_query *q,
                           svcq__record_terms_fn extract, void *extract_data, svcq__record_term_visit_fn visit,
                           void *user_data);
/* Receives the id of one record of a term scan and its value of the term. */
typedef int (*svcq__record_term_id_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq_store_term *term,
                                       void *user_data);
/* svcq__record_scan_term for a caller that needs no more than the term:
 * with a store that keeps terms no record is read or parsed. */
int svcq__record_scan_term_ids(svcq_ctx *ctx, const char *kind, uint32_t newest, const svcq__term_query *q,
                               svcq__record_terms_fn extract, void *extract_data, svcq__record_term_id_fn visit,
                               void *user_data);

#endif
