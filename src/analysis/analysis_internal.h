/* Internal model of an analysis (svcq/analysis.h), shared by the model
 * (analysis.c), JSON and store (analysis_json.c), the text exports
 * (analysis_export.c) and the SVG drawing (analysis_svg.c). */
#ifndef SVCQ__ANALYSIS_INTERNAL_H
#define SVCQ__ANALYSIS_INTERNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "svcq/analysis.h"

#define SVCQ__ANALYSIS_KIND "analysis"
#define SVCQ__ANALYSIS_SCHEMA_MAJOR 1
/* "w4294967295" and a NUL. */
#define SVCQ__AN_ID_SIZE 12

typedef struct svcq__an_evidence {
    int32_t kind;
    char *uri;  /* NULL when none */
    char *note; /* NULL when none */
    char *by;   /* NULL when unknown */
    svcq_time at; /* 0 when unknown */
} svcq__an_evidence;

typedef struct svcq__an_node {
    char id[SVCQ__AN_ID_SIZE];
    int32_t kind;
    int32_t status;
    int32_t weight;
    bool root;
    char *text;
    char *owner; /* NULL when none */
    struct svcq__an_node *parent;
    struct svcq__an_node **kids;
    size_t nkids, capkids;
    svcq__an_evidence *ev;
    size_t nev, capev; /* the evidence array never shrinks (undo counts on it) */
    bool text_inline;  /* text is buf, in the node's block (svcq__an_node_new) */
    char buf[];
} svcq__an_node;

/* The tree and the analysis-wide fields an edit may change. */
typedef struct svcq__an_model {
    svcq__an_node *root; /* the effect */
    size_t count;        /* nodes, the effect included */
    char *incident;      /* NULL when not linked */
    int32_t template_;
    uint32_t why_depth;
    uint32_t next[3];    /* the next number of 'k', 'c', 'w' */
} svcq__an_model;

struct svcq_analysis {
    svcq_ctx *ctx;
    char *id;
    uint64_t revision;
    svcq__an_model m;
};

/* ---- analysis.c ---- */

/* The letter of a kind's ids ('e', 'k', 'c', 'w'), 0 for an unknown kind. */
char svcq__an_letter(int32_t kind);
/* Index of a letter in svcq__an_model.next, -1 for 'e' or others. */
int svcq__an_letter_index(char letter);
/* Whether a node of kind may hang under a node of parent_kind. */
bool svcq__an_kind_fits(int32_t parent_kind, int32_t kind);
/* Levels below the effect (effect 0). */
uint32_t svcq__an_depth(const svcq__an_node *n);
/* Levels of the deepest node under n (0 for a leaf). */
uint32_t svcq__an_height(const svcq__an_node *n);
/* A why's level (1 below a non-why); 0 for other kinds. */
uint32_t svcq__an_why_level(const svcq__an_node *n);
/* The node with this id, or NULL. */
svcq__an_node *svcq__an_find(const svcq__an_model *m, const char *id);
/* Checks a text the library keeps (what names the field in messages):
 * UTF-8, 1..SVCQ_ANALYSIS_MAX_TEXT bytes, not blank, no control characters
 * but tab and line feed, no U+FFFE/U+FFFF. EINVAL or ELIMIT. */
int svcq__an_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t len);
/* Whether svcq__an_check_text would pass (no message: callers format
 * their "what" only when it fails). */
bool svcq__an_text_ok(const char *s, size_t len);
/* Node allocation: a fresh node with a copy of text (checked by the
 * caller) in the same block. */
svcq__an_node *svcq__an_node_new(svcq_ctx *ctx, int32_t kind, const char *id, const char *text, size_t len);
/* Frees n and everything under it (not unlinked from its parent). */
void svcq__an_node_free(svcq_ctx *ctx, svcq__an_node *n);
/* Appends child to parent's children (room reserved by the caller or grown here). */
int svcq__an_node_reserve(svcq_ctx *ctx, svcq__an_node *parent, size_t extra);
void svcq__an_node_link(svcq__an_node *parent, svcq__an_node *child);
void svcq__an_model_free(svcq_ctx *ctx, svcq__an_model *m);
/* A new analysis handle around model m (taken over on success). */
int svcq__an_handle_new(svcq_analysis **out, svcq_ctx *ctx, const char *id, svcq__an_model *m);

/* Visits the nodes in document order; stops when visit returns non-zero
 * and returns that. */
typedef int (*svcq__an_visit_fn)(const svcq__an_node *n, void *user);
int svcq__an_walk(const svcq__an_node *n, svcq__an_visit_fn visit, void *user);
/* Whether a why is the end of a short branch under why_depth. */
bool svcq__an_is_short(const svcq__an_node *n, uint32_t why_depth);

/* ---- analysis_json.c ---- */

int svcq__an_encode(const svcq_analysis *a, svcq__buf *out, bool pretty);
/* Decodes a document root into a model and the analysis id (borrowed from
 * the document). */
struct svcq__json;
int svcq__an_decode(svcq_ctx *ctx, const struct svcq__json *root, svcq__an_model *m, const char **id);

/* ---- analysis_export.c ---- */

/* Text width and wrapping shared by the SVG drawing (analysis_svg.c). */
typedef struct svcq__an_lines {
    size_t n;
    char *line[9];   /* each NUL-terminated, allocated */
    double width[9]; /* estimated width of each line, in em */
} svcq__an_lines;
/* Estimated advance of code point cp in em. */
double svcq__an_advance(uint32_t cp);
/* Splits text into at most max_lines lines of at most max_em each (words
 * first, then anywhere; explicit line feeds kept; the last line ends with
 * "…" when something was left out). */
int svcq__an_wrap(svcq_ctx *ctx, const char *text, double max_em, size_t max_lines, svcq__an_lines *out);
void svcq__an_lines_free(svcq_ctx *ctx, svcq__an_lines *l);
/* Appends s escaped for XML text and attributes. */
int svcq__an_xml(svcq__buf *b, const char *s);
/* The anchor node for a picture export (NULL anchor: *out NULL). */
int svcq__an_anchor(const svcq_analysis *a, const char *anchor, const svcq__an_node **out);
/* Sends b to the writer. */
int svcq__an_flush(const svcq_writer *w, const svcq__buf *b);

/* ---- analysis_svg.c ---- */

int svcq__an_svg_fishbone(const svcq_analysis *a, svcq__buf *out);
int svcq__an_svg_tree(const svcq_analysis *a, const svcq__an_node *anchor, svcq__buf *out);

#endif
